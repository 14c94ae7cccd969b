// The tools tree: a cached mmdebstrap'd Debian root whose mksquashfs, xorriso, GRUB tools, mtools, tar and compiler
// run the build, sandboxed by the tree's own bubblewrap (started through the tree's dynamic loader), so the host
// needs only mmdebstrap and Node, and every host builds with the same tool versions.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CommandError } from '../core/errors.js';
import { formatCommand, type Runner, type RunOptions, type RunResult } from '../core/runner/run.js';
import type { IsoConfig } from '../iso-config/config.js';
import { bootstrapEnv } from './bootstrap-env.js';
import { TreeCache } from './cache.js';
import { sandboxNetwork } from './container.js';

/** What the build runs, and the signed boot loaders it copies (same suite as the live system). */
export const toolsPackages: readonly string[] = [
  'bubblewrap', // the sandbox every tool runs in
  'squashfs-tools', // mksquashfs
  'xorriso', // the hybrid ISO
  'grub-pc-bin', // BIOS core image, boot_hybrid.img
  'grub-common', // grub-mkimage
  'shim-signed', // shimx64.efi.signed, mmx64.efi.signed
  'grub-efi-amd64-signed', // gcdx64.efi.signed
  'mtools', // the EFI boot image's files
  'dosfstools', // mkfs.fat for the EFI boot image
  'tar',
  'gzip',
  'zstd',
  'python3', // node-gyp
  'make',
  'g++',
];

/** Where a host architecture keeps its dynamic loader and libraries (Debian multiarch paths). */
const hostLayouts: Record<string, { debian: string; loader: string; libdir: string }> = {
  x64: { debian: 'amd64', loader: 'usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', libdir: 'usr/lib/x86_64-linux-gnu' },
  arm64: { debian: 'arm64', loader: 'usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1', libdir: 'usr/lib/aarch64-linux-gnu' },
};

function hostLayout(arch: string = process.arch): { debian: string; loader: string; libdir: string } {
  const layout = hostLayouts[arch];
  if (!layout) throw new Error(`no tools tree for a ${arch} host (amd64 and arm64 only)`);
  return layout;
}

/** What shapes the tools tree, hashed into its cache key. */
export function toolsTreeInputs(config: Pick<IsoConfig, 'suite' | 'mirror'>, arch: string = process.arch): Record<string, unknown> {
  return { format: 1, suite: config.suite, mirror: config.mirror, architecture: hostLayout(arch).debian, packages: [...toolsPackages].sort() };
}

/** mmdebstrap's argv that makes the tools tree as a directory. */
export function toolsTreeMmdebstrapArgs(inputs: Record<string, unknown>, target: string): string[] {
  return [
    '--variant=minbase',
    '--mode=root',
    '--format=directory',
    `--architectures=${String(inputs['architecture'])}`,
    '--aptopt=APT::Install-Recommends "false"',
    '--dpkgopt=path-exclude=/usr/share/doc/*',
    '--dpkgopt=path-exclude=/usr/share/man/*',
    '--dpkgopt=path-exclude=/usr/share/locale/*',
    `--include=${(inputs['packages'] as string[]).join(',')}`,
    String(inputs['suite']),
    target,
    String(inputs['mirror']),
  ];
}

/** 'none': a fresh network namespace without interfaces but loopback (the default); 'shared': the caller's. */
export type SandboxNetwork = 'none' | 'shared';

export interface SandboxOptions {
  /** Host paths bound read-write at the same path inside. */
  rw?: readonly string[];
  /** Host paths bound read-only at the same path inside. */
  ro?: readonly string[];
  /** Working directory inside (a bound path). */
  cwd?: string;
  /** Extra environment; the sandbox starts from an empty one. */
  env?: Record<string, string>;
  /** Directories put before the standard PATH. */
  path?: readonly string[];
  /** Default 'none'; 'shared' in a container (container.ts). */
  network?: SandboxNetwork;
}

const standardPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin';

function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]);
}

function commonArgs(opts: SandboxOptions, baseEnv: Record<string, string>, home: string): string[] {
  const env = { PATH: [...(opts.path ?? []), standardPath].join(':'), HOME: home, LC_ALL: 'C.UTF-8', TZ: 'UTC', ...baseEnv, ...(opts.env ?? {}) };
  return [
    '--dev', '/dev',
    '--proc', '/proc',
    '--tmpfs', '/tmp',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    ...(opts.network === 'shared' ? [] : ['--unshare-net']),
    '--die-with-parent',
    '--clearenv',
    ...envArgs(env),
    ...(opts.ro ?? []).flatMap((p) => ['--ro-bind', p, p]),
    ...(opts.rw ?? []).flatMap((p) => ['--bind', p, p]),
    ...(opts.cwd ? ['--chdir', opts.cwd] : []),
  ];
}

/** bwrap options that make the tools tree the sandbox's /usr and /etc (a merged-/usr tree), host paths bound in. */
export function toolsSandboxArgs(tree: string, opts: SandboxOptions = {}, baseEnv: Record<string, string> = {}): string[] {
  return [
    '--ro-bind', path.join(tree, 'usr'), '/usr',
    '--symlink', 'usr/bin', '/bin',
    '--symlink', 'usr/sbin', '/sbin',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    '--ro-bind', path.join(tree, 'etc'), '/etc',
    '--dir', '/var/tmp',
    ...commonArgs(opts, baseEnv, '/tmp'),
  ];
}

/** bwrap options that make a live root the sandbox's / (read-write), to run its own programs at build time. */
export function rootSandboxArgs(root: string, opts: SandboxOptions = {}, baseEnv: Record<string, string> = {}): string[] {
  return ['--bind', root, '/', '--tmpfs', '/run', ...commonArgs(opts, baseEnv, '/root')];
}

/** A prepared tools tree: runs commands inside it, or inside a live root, through the Runner. */
export class ToolsTree {
  constructor(
    readonly dir: string,
    private readonly runner: Runner,
    private readonly baseEnv: Record<string, string> = {},
    private readonly arch: string = process.arch,
    private readonly network: SandboxNetwork = sandboxNetwork(),
  ) {}

  /** The host command line: the tree's loader runs the tree's bwrap with the given sandbox options. */
  wrap(sandbox: string[], command: readonly string[]): { file: string; args: string[] } {
    const layout = hostLayout(this.arch);
    return {
      file: path.join(this.dir, layout.loader),
      args: ['--library-path', path.join(this.dir, layout.libdir), path.join(this.dir, 'usr/bin/bwrap'), ...sandbox, '--', ...command],
    };
  }

  argv(command: readonly string[], opts: SandboxOptions = {}): { file: string; args: string[] } {
    return this.wrap(toolsSandboxArgs(this.dir, { network: this.network, ...opts }, this.baseEnv), command);
  }

  rootArgv(root: string, command: readonly string[], opts: SandboxOptions = {}): { file: string; args: string[] } {
    return this.wrap(rootSandboxArgs(root, { network: this.network, ...opts }, this.baseEnv), command);
  }

  /** Runs a tool of the tree with host paths bound in. */
  async run(command: readonly string[], opts: SandboxOptions & RunOptions = {}): Promise<RunResult> {
    const { file, args } = this.argv(command, opts);
    return this.named(this.runner.run(file, args, opts), command, 'in the tools tree');
  }

  /** Runs a program of the live root inside it (its own libraries, its own /etc). */
  async runInRoot(root: string, command: readonly string[], opts: SandboxOptions & RunOptions = {}): Promise<RunResult> {
    const { file, args } = this.rootArgv(root, command, opts);
    return this.named(this.runner.run(file, args, opts), command, 'in the live root');
  }

  /** A failure names the tool's own command line, not the sandbox around it (the runner's log has both). */
  private async named(result: Promise<RunResult>, command: readonly string[], where: string): Promise<RunResult> {
    try {
      return await result;
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      throw new CommandError({
        command: `${formatCommand(command[0] ?? '', command.slice(1))} (${where})`,
        exitCode: e.exitCode,
        signal: e.signal,
        stderrTail: e.stderrTail,
        durationMs: e.durationMs,
        hint: e.hint,
        cause: e,
      });
    }
  }
}

export interface ToolsTreeMeta {
  inputs: Record<string, unknown>;
  createdAt: string;
  seconds: number;
}

/** The cached tools tree for this config, made with mmdebstrap on a miss. Returns the tree and what happened. */
export async function ensureToolsTree(
  cacheDir: string,
  config: Pick<IsoConfig, 'suite' | 'mirror'>,
  runner: Runner,
  baseEnv: Record<string, string>,
  onLine?: (line: string) => void,
): Promise<{ tree: ToolsTree; note: string; missReason?: string }> {
  const cache = new TreeCache<ToolsTreeMeta>(path.join(cacheDir, 'tools'));
  const inputs = toolsTreeInputs(config);
  const found = await cache.lookup(inputs);
  if (found.hit) {
    if (!existsSync(path.join(found.entry.dir, 'tree', 'usr/bin/bwrap'))) throw new Error(`the cached tools tree ${found.entry.dir} is incomplete; delete it`);
    return { tree: new ToolsTree(path.join(found.entry.dir, 'tree'), runner, baseEnv), note: `cached tools tree ${found.entry.key.slice(0, 12)}` };
  }
  const started = Date.now();
  const partial = await cache.begin(found.key);
  const sde = baseEnv['SOURCE_DATE_EPOCH'];
  await runner
    .run('mmdebstrap', toolsTreeMmdebstrapArgs(inputs, path.join(partial, 'tree')), {
      onLine,
      env: bootstrapEnv(sde === undefined ? undefined : Number(sde)),
      extendEnv: false,
      hint: 'mmdebstrap makes the tools tree: install it (scripts/setup iso) and check that the mirror is reachable',
    })
    .catch(async (e: unknown) => {
      await rm(partial, { recursive: true, force: true }); // a failed tools tree leaves nothing behind
      throw e;
    });
  const seconds = (Date.now() - started) / 1000;
  const entry = await cache.commit(found.key, partial, { inputs, createdAt: new Date().toISOString(), seconds });
  await cache.prune(2, found.key);
  return { tree: new ToolsTree(path.join(entry.dir, 'tree'), runner, baseEnv), note: `made tools tree ${found.key.slice(0, 12)}`, missReason: found.reason };
}

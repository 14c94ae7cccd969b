// Stage: the live system's root filesystem from mmdebstrap (Debian minbase + kernel + live-boot + the disk tools),
// cached as a tarball under a key of what shapes it, and unpacked into this build's work directory.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { IsoConfig } from '../../iso-config/config.js';
import { bootstrapEnv } from '../bootstrap-env.js';
import { TreeCache } from '../cache.js';
import { note, toolOutput, toolsOf, type BuildContext, type InstalledPackage } from '../context.js';
import type { Step } from '../driver.js';
import { components, livePackageList, parseDpkgStatus } from '../packages.js';
import { noAutoAssemblyFiles, setupHookCommands } from '../system/files.js';

/** dpkg path filters: no documentation, manuals or translations in the live system (copyright files stay). */
export const dpkgExcludes: readonly string[] = [
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/locale/*',
  'path-include=/usr/share/locale/locale.alias',
  'path-exclude=/usr/share/lintian/*',
];

/** Everything that shapes the bootstrapped root; its hash is the cache key. */
export function rootInputs(c: IsoConfig, sourceDateEpoch?: number): Record<string, unknown> {
  return {
    // The tarball's times and its initrd depend on it; absent, the key is the one builds without it always had.
    ...(sourceDateEpoch === undefined ? {} : { sourceDateEpoch }),
    // 2: mmdebstrap runs in a fixed environment (bootstrap-env.ts); roots made before could carry the caller's
    // PYTHONDONTWRITEBYTECODE or not (checked-hash vs timestamped .pyc files), so they are not reused.
    format: 2,
    suite: c.suite,
    mirror: c.mirror,
    architecture: c.architecture,
    components: components(c),
    variant: 'minbase',
    dpkgOptions: [...dpkgExcludes],
    packages: livePackageList(c),
    // Files in the root before any package is installed (no automatic md assembly or LVM activation).
    setupFiles: noAutoAssemblyFiles(),
  };
}

/** mmdebstrap's argv for the root tarball. */
export function mmdebstrapArgs(inputs: Record<string, unknown>, tarball: string): string[] {
  return [
    `--variant=${String(inputs['variant'])}`,
    '--mode=root',
    '--format=tar',
    `--architectures=${String(inputs['architecture'])}`,
    `--components=${(inputs['components'] as string[]).join(',')}`,
    '--aptopt=APT::Install-Recommends "false"',
    ...(inputs['dpkgOptions'] as string[]).map((o) => `--dpkgopt=${o}`),
    `--include=${(inputs['packages'] as string[]).join(',')}`,
    ...setupHookCommands(inputs['setupFiles'] as Record<string, string>).map((cmd) => `--setup-hook=${cmd}`),
    String(inputs['suite']),
    tarball,
    String(inputs['mirror']),
  ];
}

/** tar's argv that unpacks the root tarball with owners, modes, capabilities and device nodes intact. */
export function unpackRootArgs(tarball: string, root: string): string[] {
  return ['--extract', '--file', tarball, '--directory', root, '--preserve-permissions', '--numeric-owner', '--xattrs', '--xattrs-include=*'];
}

export interface RootMeta {
  inputs: Record<string, unknown>;
  createdAt: string;
  seconds: number;
  kernelVersion: string;
  packages: InstalledPackage[];
}

async function bootstrap(ctx: BuildContext, cache: TreeCache<RootMeta>, key: string, inputs: Record<string, unknown>): Promise<RootMeta> {
  const started = Date.now();
  const partial = await cache.begin(key);
  try {
    return await fill(ctx, cache, key, inputs, partial, started);
  } catch (e) {
    await rm(partial, { recursive: true, force: true }); // a failed bootstrap leaves nothing (a root tarball is ~400 MB)
    throw e;
  }
}

async function fill(ctx: BuildContext, cache: TreeCache<RootMeta>, key: string, inputs: Record<string, unknown>, partial: string, started: number): Promise<RootMeta> {
  const tarball = path.join(partial, 'root.tar');
  await ctx.runner.run('mmdebstrap', mmdebstrapArgs(inputs, tarball), {
    onLine: toolOutput(ctx),
    signal: ctx.signal,
    env: bootstrapEnv(ctx.options.sourceDateEpoch),
    extendEnv: false,
    hint: 'mmdebstrap could not bootstrap the live root: check the mirror and the package names in the config',
  });
  const tools = toolsOf(ctx);
  const status = await tools.run(['tar', '--extract', '--to-stdout', '--file', tarball, './var/lib/dpkg/status'], { ro: [partial] });
  const listing = await tools.run(['tar', '--list', '--file', tarball, './boot/'], { ro: [partial] });
  const kernels = listing.stdout
    .split('\n')
    .map((l) => /^\.\/boot\/vmlinuz-(.+)$/.exec(l)?.[1])
    .filter((v): v is string => v !== undefined);
  if (kernels.length !== 1) throw new Error(`the bootstrapped root has ${kernels.length} kernels in /boot (${kernels.join(', ')}); expected one`);
  const meta: RootMeta = {
    inputs,
    createdAt: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
    kernelVersion: kernels[0]!,
    packages: parseDpkgStatus(status.stdout),
  };
  const entry = await cache.commit(key, partial, meta, ctx.options.refresh);
  await cache.prune(3, key);
  return entry.meta;
}

export const bootstrapRoot: Step = {
  name: 'bootstrap root',
  async run(ctx) {
    const inputs = rootInputs(ctx.config, ctx.options.sourceDateEpoch);
    const cache = new TreeCache<RootMeta>(path.join(ctx.paths.cache, 'roots'));
    const found = await cache.lookup(inputs, ctx.options.refresh);
    let meta: RootMeta;
    let key: string;
    let summary: string;
    if (found.hit) {
      ({ meta, key } = found.entry);
      summary = `reused cached root ${key.slice(0, 12)} (bootstrapped ${meta.createdAt}, kernel ${meta.kernelVersion})`;
    } else {
      key = found.key;
      note(ctx, `root cache miss: ${found.reason}; bootstrapping ${(inputs['packages'] as string[]).length} packages with mmdebstrap`);
      meta = await bootstrap(ctx, cache, key, inputs);
      summary = `bootstrapped root ${key.slice(0, 12)} in ${meta.seconds.toFixed(1)} s (${meta.packages.length} packages, kernel ${meta.kernelVersion})`;
    }
    const tarball = path.join(cache.entryDir(key), 'root.tar');
    await mkdir(ctx.paths.root, { recursive: true });
    await toolsOf(ctx).run(['tar', ...unpackRootArgs(tarball, ctx.paths.root)], { ro: [cache.entryDir(key)], rw: [ctx.paths.root], signal: ctx.signal });
    ctx.state.rootKey = key;
    ctx.state.kernelVersion = meta.kernelVersion;
    ctx.state.packages = meta.packages;
    return summary;
  },
};

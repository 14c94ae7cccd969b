// Stage: Lifeboat itself in the live root: the CLI and the entry point bundled by esbuild (one file each, the rescue
// UI's Ink and React inside both), the
// native addons node-pty and diskusage compiled in the tools tree against the embedded Node's headers, launchers.
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { esbuildArgs as bundleArgs, esbuildBinary } from '../bundle.js';
import { note, toolOutput, toolsOf, type BuildContext } from '../context.js';
import type { Step } from '../driver.js';
import { live } from '../../core/live/layout.js';
import { copyIntoRoot, writeRootFile } from '../root-files.js';
import { commandLauncher, entryLauncher } from '../system/files.js';

/** Native addons and what each needs at build time only (resolved beside it while compiling). */
export const nativeAddons: Record<string, { buildDeps: string[]; runtimeFiles: string[] }> = {
  'node-pty': { buildDeps: ['node-addon-api'], runtimeFiles: ['package.json', 'LICENSE', 'lib', 'build/Release/pty.node'] },
  diskusage: { buildDeps: ['nan'], runtimeFiles: ['package.json', 'LICENSE', 'index.js', 'fallback.js', 'build/Release/diskusage.node'] },
};

/** The sources esbuild bundles: the live CLI and the entry point. */
export const bundleEntries = ['live/lifeboat.ts', 'live/entry.ts'];

export function esbuildArgs(appDir: string, outdir: string, nodeMajor: number): string[] {
  return bundleArgs(appDir, { entries: bundleEntries, outdir, nodeMajor, external: Object.keys(nativeAddons) });
}

/** node-gyp's argv (run by the embedded node, inside the tools tree): compile against the unpacked Node's headers. */
export function nodeGypArgs(nodeGyp: string, nodeDir: string, jobs: number): string[] {
  return [path.join(nodeDir, 'bin/node'), nodeGyp, 'rebuild', '--release', `--nodedir=${nodeDir}`, `--jobs=${jobs}`];
}

/**
 * node-gyp from the app's own node_modules (a pinned devDependency): the same version on every host and in Docker,
 * whatever npm the host has (Debian's npm does not even ship it inside npm's own tree).
 */
function findNodeGyp(appDir: string): { script: string; dir: string } {
  const modules = path.join(appDir, 'node_modules');
  const script = path.join(modules, 'node-gyp/bin/node-gyp.js');
  if (!existsSync(script)) throw new Error(`node-gyp is not installed in ${modules} (npm ci installs it)`);
  return { script, dir: modules };
}

/** Copies an addon's sources (without its prebuilt binaries) and its build-time dependencies, then compiles it. */
async function buildAddons(ctx: BuildContext): Promise<string> {
  const nodeDir = ctx.state.nodeDir;
  if (!nodeDir) throw new Error('install node must run before install app');
  const modules = path.join(ctx.paths.work, 'addons', 'node_modules');
  await mkdir(modules, { recursive: true });
  const source = path.join(ctx.paths.app, 'node_modules');
  const names = [...new Set(Object.entries(nativeAddons).flatMap(([name, a]) => [name, ...a.buildDeps]))];
  for (const name of names) {
    const from = path.join(source, name);
    if (!existsSync(from)) throw new Error(`${name} is not installed in ${source} (npm ci)`);
    await cp(from, path.join(modules, name), { recursive: true, filter: (f) => !['build', 'prebuilds'].includes(path.relative(from, f)) });
  }
  const nodeGyp = findNodeGyp(ctx.paths.app);
  const tools = toolsOf(ctx);
  for (const name of Object.keys(nativeAddons)) {
    await tools.run(nodeGypArgs(nodeGyp.script, nodeDir, ctx.options.jobs), {
      cwd: path.join(modules, name),
      rw: [path.dirname(modules)],
      ro: [nodeDir, nodeGyp.dir],
      path: [path.join(nodeDir, 'bin')],
      onLine: toolOutput(ctx),
      signal: ctx.signal,
      hint: `compiling ${name} for the embedded Node failed; the compiler output is above with --verbose`,
    });
  }
  return modules;
}

async function installAddons(ctx: BuildContext, modules: string): Promise<void> {
  for (const [name, addon] of Object.entries(nativeAddons)) {
    for (const rel of addon.runtimeFiles) {
      const from = path.join(modules, name, rel);
      if (!existsSync(from)) {
        if (rel === 'LICENSE') continue;
        throw new Error(`${name}: ${rel} is missing after the build`);
      }
      const to = path.join(ctx.paths.root, live.modules, name, rel);
      await mkdir(path.dirname(to), { recursive: true });
      await cp(from, to, { recursive: true, filter: (f) => !/\.(test\.js|map|ts)$/.test(f) });
    }
  }
}

export const installApp: Step = {
  name: 'install app',
  async run(ctx) {
    const bundleDir = path.join(ctx.paths.work, 'app');
    const nodeMajor = Number(ctx.config.node.version.split('.')[0]);
    await ctx.runner.run(esbuildBinary(ctx.paths.app), esbuildArgs(ctx.paths.app, bundleDir, nodeMajor), {
      cwd: ctx.paths.app, // the bundle's path comments are relative to it: the same wherever the build was started
      signal: ctx.signal,
    });
    const bundles = (await readdir(bundleDir)).sort();
    note(ctx, `bundled ${bundles.join(', ')}`);
    const modules = await buildAddons(ctx);
    const root = ctx.paths.root;
    await copyIntoRoot(root, live.app, path.join(bundleDir, 'lifeboat.mjs'), 0o644);
    await copyIntoRoot(root, live.entryScript, path.join(bundleDir, 'entry.mjs'), 0o644);
    await writeRootFile(root, `${live.dir}/package.json`, `${JSON.stringify({ name: 'lifeboat', version: ctx.version, private: true, type: 'module' }, null, 2)}\n`);
    await installAddons(ctx, modules);
    await writeRootFile(root, live.command, commandLauncher(), 0o755);
    await writeRootFile(root, live.entry, entryLauncher(), 0o755);
    const tools = toolsOf(ctx);
    const load = `for (const m of ['node-pty', 'diskusage/fallback.js']) require(${JSON.stringify(`${live.modules}/`)} + m); console.log('addons load')`;
    await tools.runInRoot(root, [live.node, '-e', load]);
    const version = (await tools.runInRoot(root, [live.command, '--version'])).stdout.trim();
    if (!version.includes(`node v${ctx.config.node.version}`)) throw new Error(`lifeboat --version in the live root printed "${version}"`);
    await tools.runInRoot(root, [live.command, '--help']); // every command module loads
    // The rescue UI (Ink, React, yoga's WebAssembly) loads and draws its menu under the embedded Node.
    const menu = (await tools.runInRoot(root, [live.command, 'ui', '--snapshot'])).stdout;
    if (!menu.includes('Back up a disk')) throw new Error(`lifeboat ui --snapshot in the live root printed "${menu.slice(0, 200)}"`);
    return `${version}; node-pty and diskusage built for node v${ctx.config.node.version}`;
  },
};

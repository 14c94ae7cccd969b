// ISO section: the default ISO's cold build (empty cache: tools tree and root bootstrapped), warm rebuild after an
// app-only change (the root must come from the cache), size, and boot time under QEMU (TCG, BIOS CD) to the
// entry point's LIFEBOAT-READY marker. Builds run `lifeboat iso build` as users do, from a scratch copy of this
// tree (so the app can change without touching the worktree), with a cache directory of their own, deleted after.
import { appendFile, cp, mkdir, readdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { stats, type Stat } from './report.js';
import { bootToMarker } from './qemu-boot.js';
import { log, sh } from './process.js';
import { type Args, repoRoot } from './settings.js';

export interface IsoBuild {
  kind: 'cold' | 'warm';
  /** Wall seconds of `lifeboat iso build` (the whole command). */
  seconds: number;
  /** The builder's own total. */
  buildSeconds: number;
  iso: string;
  bytes: number;
  sha256: string;
  stages: { stage: string; seconds: number; note?: string }[];
  /** Notes the build printed about its caches (misses and reasons). */
  cacheNotes: string[];
  rootReused: boolean;
}

export interface IsoResult {
  cold: IsoBuild[];
  warm: IsoBuild[];
  coldStat: Stat;
  warmStat: Stat;
  /** The default ISO (the cold build's), in bytes. */
  bytes: number;
  iso: string;
  bootSeconds: number[];
  bootStat: Stat;
  bootMemoryMiB: number;
}

export const bootMarker = 'LIFEBOAT-READY';
const sourceDirs = ['core', 'builder', 'imager', 'cli', 'live', 'iso-config', 'rescue-ui', 'dist'];
const sourceFiles = ['package.json', 'package-lock.json', 'tsconfig.json'];

/** A copy of the tree the ISO is built from, node_modules linked: the app can change there and nowhere else. */
async function scratchTree(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const d of sourceDirs) await cp(path.join(repoRoot, d), path.join(dir, d), { recursive: true });
  for (const f of sourceFiles) await cp(path.join(repoRoot, f), path.join(dir, f));
  await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
}

/** An app-only change: one more statement in the live entry point, which esbuild keeps (a side effect). */
async function changeApp(tree: string, stamp: string): Promise<void> {
  await appendFile(path.join(tree, 'live/entry.ts'), `\n(globalThis as Record<string, unknown>)['lifeboatBenchStamp'] = ${JSON.stringify(stamp)};\n`);
}

async function build(args: Args, kind: IsoBuild['kind'], tree: string, cache: string, out: string): Promise<IsoBuild> {
  const stages: IsoBuild['stages'] = [];
  const cacheNotes: string[] = [];
  let result: { iso: string; bytes: number; sha256: string; seconds: number } | undefined;
  const t0 = performance.now();
  await sh('node', [path.join(tree, 'dist/bundle/lifeboat.mjs'), 'iso', 'build', '--cache', cache, '--out', out, '--json'], {
    onLine: (line) => {
      if (!line.startsWith('{')) return;
      const e = JSON.parse(line) as { type: string; stage?: string; seconds?: number; note?: string; message?: string; iso?: string; bytes?: number; sha256?: string };
      if (e.type === 'stage-done') {
        stages.push({ stage: e.stage!, seconds: e.seconds!, ...(e.note ? { note: e.note } : {}) });
        log(args, `    ${e.stage}: ${e.seconds!.toFixed(1)} s${e.note ? ` (${e.note})` : ''}`);
      } else if (e.type === 'note' && /cache/.test(e.message ?? '')) cacheNotes.push(e.message!);
      else if (e.type === 'result') result = { iso: e.iso!, bytes: e.bytes!, sha256: e.sha256!, seconds: e.seconds! };
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (!result) throw new Error('lifeboat iso build --json printed no result');
  const rootNote = stages.find((s) => s.stage === 'bootstrap root')?.note ?? '';
  return { kind, seconds, buildSeconds: result.seconds, iso: result.iso, bytes: result.bytes, sha256: result.sha256, stages, cacheNotes, rootReused: rootNote.startsWith('reused cached root') };
}

export async function runIso(args: Args): Promise<IsoResult> {
  const tree = path.join(args.dir, 'iso-app');
  const cache = path.join(args.dir, 'iso-cache');
  const outCold = path.join(args.dir, 'iso-out', 'cold');
  const outWarm = path.join(args.dir, 'iso-out', 'warm');
  try {
    log(args, `ISO: scratch copy of the tree in ${tree}; cache ${cache} (emptied before each cold build, deleted at the end)`);
    await scratchTree(tree);
    const cold: IsoBuild[] = [];
    for (let i = 1; i <= args.coldReps; i++) {
      await rm(cache, { recursive: true, force: true });
      await rm(outCold, { recursive: true, force: true });
      log(args, `  cold build ${i}/${args.coldReps} (empty cache: tools tree, root, Node download)…`);
      const b = await build(args, 'cold', tree, cache, outCold);
      if (b.rootReused) throw new Error('the cold build reused a root: its cache was not empty');
      log(args, `  cold build: ${b.seconds.toFixed(1)} s, ${b.bytes.toLocaleString('en')} bytes`);
      cold.push(b);
    }
    const warm: IsoBuild[] = [];
    for (let i = 1; i <= args.reps; i++) {
      await changeApp(tree, `warm-${i}-${Date.now()}`);
      await rm(outWarm, { recursive: true, force: true });
      log(args, `  warm rebuild ${i}/${args.reps} after an app-only change…`);
      const b = await build(args, 'warm', tree, cache, outWarm);
      if (!b.rootReused) throw new Error(`the warm rebuild did not reuse the cached root: ${b.cacheNotes.join('; ') || b.stages.find((s) => s.stage === 'bootstrap root')?.note}`);
      if (b.sha256 === cold.at(-1)!.sha256) throw new Error('the warm rebuild made the same ISO: the app change did not reach it');
      log(args, `  warm rebuild: ${b.seconds.toFixed(1)} s (root reused), ${b.bytes.toLocaleString('en')} bytes`);
      warm.push(b);
    }
    const iso = cold.at(-1)!.iso;
    const bootMemoryMiB = 1024;
    const bootSeconds: number[] = [];
    for (let i = 1; i <= args.reps; i++) {
      const s = await bootToMarker(iso, bootMarker, bootMemoryMiB, 5 * 60_000);
      log(args, `  boot ${i}/${args.reps} (BIOS CD, TCG, ${bootMemoryMiB} MiB): ${bootMarker} after ${s.toFixed(1)} s`);
      bootSeconds.push(s);
    }
    return {
      cold,
      warm,
      coldStat: stats(cold.map((b) => b.seconds)),
      warmStat: stats(warm.map((b) => b.seconds)),
      bytes: cold.at(-1)!.bytes,
      iso,
      bootSeconds,
      bootStat: stats(bootSeconds),
      bootMemoryMiB,
    };
  } finally {
    // The cold cache holds a tools tree and a root (about 1 GB); the ISOs stay in iso-out for the guest-RAM probe.
    await rm(cache, { recursive: true, force: true });
    await rm(tree, { recursive: true, force: true });
  }
}

/** The ISO an earlier run of this section left, for the guest-RAM probe run alone. */
export async function lastIso(args: Args): Promise<string | undefined> {
  const dir = path.join(args.dir, 'iso-out', 'cold');
  const iso = (await readdir(dir).catch(() => [] as string[])).find((f) => f.endsWith('.iso'));
  return iso ? path.join(dir, iso) : undefined;
}


// Measuring a run: cold caches, wall and CPU time of a command and everything it started, host busy time.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sampleTreeRss } from './memory.js';
import { q, sh } from './process.js';
import { lifeboatBin } from './settings.js';

// ---------------------------------------------------------------- measuring

export interface Run {
  /** Seconds from start until the command exited. */
  exit: number;
  /** Seconds until the command exited and a following `sync` returned: the data is on disk. */
  durable: number;
  /** CPU seconds (user + system) of the command and everything it started and waited for. */
  cpu: number;
  /** CPU seconds the whole host was busy during the run (all CPUs, every process and kernel thread). */
  hostBusy: number;
  /** Lifeboat only: seconds since start at which each JSON event arrived. */
  phases?: Record<string, number>;
  /** Lifeboat only: the largest sum of resident memory of the command's process tree (node, partclone, zstd), sampled. */
  peakRssBytes?: number;
}

export interface Op {
  id: string;
  phase: 'backup' | 'restore';
  label: string;
  command: string;
  runs: Run[];
  imageBytes?: number;
}

export async function dropCaches(): Promise<void> {
  await sh('sync', []);
  await writeFile('/proc/sys/vm/drop_caches', '3\n');
}

/** Busy CPU seconds of the host since boot, from /proc/stat (USER_HZ = 100). */
export async function hostBusySeconds(): Promise<number> {
  const first = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const [user, nice, system, , , irq, softirq, steal] = first.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
}

/**
 * Runs a shell pipeline with a cold page cache and times it: until it exits, and until a `sync` after it returns.
 * bash's `times` reports the CPU of every process the pipeline started (descendants that were waited for).
 */
export async function timed(script: string, onLine?: (line: string, at: number) => void, opts: { memory?: boolean } = {}): Promise<Run> {
  await dropCaches();
  const busy0 = await hostBusySeconds();
  const t0 = performance.now();
  let sampler: ReturnType<typeof sampleTreeRss> | undefined;
  const r = await sh('bash', ['-c', `set -euo pipefail; ${script}; times >&2`], {
    ...(onLine ? { onLine: (l: string) => onLine(l, (performance.now() - t0) / 1000) } : {}),
    ...(opts.memory ? { onStart: (pid: number) => (sampler = sampleTreeRss(pid, 250)) } : {}),
  }).finally(() => sampler?.stop());
  const t1 = performance.now();
  const peakRssBytes = sampler ? await sampler.stop() : undefined;
  await sh('sync', []);
  const t2 = performance.now();
  const busy1 = await hostBusySeconds();
  const m = [...r.stderr.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)].at(-1);
  const cpu = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : NaN;
  return { exit: (t1 - t0) / 1000, durable: (t2 - t0) / 1000, cpu, hostBusy: busy1 - busy0, ...(peakRssBytes !== undefined ? { peakRssBytes } : {}) };
}

/** Runs the Lifeboat CLI with --json and notes when each event arrived (for a phase breakdown). */
export async function lifeboat(argv: string[]): Promise<Run> {
  const phases: Record<string, number> = {};
  let step = 0;
  const run = await timed(['node', lifeboatBin, ...argv, '--json'].map(q).join(' '), (line, at) => {
    if (!line.startsWith('{')) return;
    const e = JSON.parse(line) as { type: string; message?: string; partition?: string; seconds?: number };
    if (e.type === 'start') phases['start'] = at;
    else if (e.type === 'step') phases[`step${++step}: ${e.message}`] = at;
    else if (e.type === 'partition-done') {
      phases[`${e.partition} done`] = at;
      if (e.seconds !== undefined) phases[`${e.partition} seconds (own timer)`] = e.seconds;
    } else if (e.type === 'done') phases['done'] = at;
    else if (e.type === 'result') phases['result'] = at;
  }, { memory: true });
  return { ...run, phases };
}

export async function dirBytes(p: string): Promise<number> {
  const st = await stat(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const f of await readdir(p)) n += await dirBytes(path.join(p, f));
  return n;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const gib = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`;
export const mibs = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB`;


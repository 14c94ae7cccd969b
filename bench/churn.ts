// The repository section's "about 1% of the data changed": a deterministic plan (which files are rewritten, removed,
// added) from the list of files, and applying it to a mounted filesystem. The plan is pure; its content comes from
// AES-CTR keyed by the round, so every run changes the same files the same way.
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { prng, writeChunked } from './disk.js';

export interface FileEntry {
  /** Relative to the filesystem's root. */
  path: string;
  bytes: number;
}

export interface ChurnPlan {
  round: number;
  /** Rewritten in place with new content of the same size. */
  rewrite: FileEntry[];
  remove: FileEntry[];
  /** New files (paths that do not exist yet). */
  add: FileEntry[];
  /** Bytes rewritten + removed + added. */
  changedBytes: number;
}

/**
 * About `share` of `files`' bytes changed: half of it rewritten, a quarter removed, a quarter added as new files of the
 * size of the ones removed. Files are drawn by a PRNG seeded with the round from the list sorted by path, so the same
 * list and round always give the same plan; no file is both rewritten and removed. Files larger than the budget's
 * part are never drawn (a 128 MiB video would be 6% on its own).
 */
export function churnPlan(files: FileEntry[], round: number, share = 0.01): ChurnPlan {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const total = sorted.reduce((n, f) => n + f.bytes, 0);
  const budget = total * share;
  const rnd = prng(0xc4a9_0000 + round);
  const taken = new Set<number>();
  const draw = (want: number): FileEntry[] => {
    const out: FileEntry[] = [];
    let got = 0;
    const fits = sorted.map((f, i) => ({ f, i })).filter(({ f, i }) => f.bytes > 0 && f.bytes <= want && !taken.has(i));
    while (got < want && fits.length > 0) {
      const k = rnd() % fits.length;
      const { f, i } = fits.splice(k, 1)[0]!;
      if (got + f.bytes > want * 1.1) continue;
      taken.add(i);
      out.push(f);
      got += f.bytes;
    }
    return out;
  };
  const rewrite = draw(budget / 2);
  const remove = draw(budget / 4);
  const add = remove.map((f, i) => ({ path: path.join('churn', `r${round}`, `new${i}${path.extname(f.path)}`), bytes: f.bytes }));
  const sum = (xs: FileEntry[]) => xs.reduce((n, f) => n + f.bytes, 0);
  return { round, rewrite, remove, add, changedBytes: sum(rewrite) + sum(remove) + sum(add) };
}

/** Deterministic incompressible bytes for a file of a round: AES-128-CTR of zeros, keyed by round and path. */
function contentOf(round: number, rel: string): (n: number) => Buffer {
  const key = createHash('sha256').update(`lifeboat-bench-churn:${round}:${rel}`).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  return (n) => cipher.update(Buffer.alloc(n));
}

/** Every regular file under `root`, with its size. */
export async function listFiles(root: string, rel = ''): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) {
      if (r !== 'lost+found') out.push(...(await listFiles(root, r)));
    } else if (e.isFile()) out.push({ path: r, bytes: (await stat(path.join(root, r))).size });
  }
  return out;
}

/** Applies the plan to the filesystem mounted at `root`. */
export async function applyChurn(root: string, plan: ChurnPlan): Promise<void> {
  for (const f of plan.rewrite) {
    const p = path.join(root, f.path);
    await rm(p);
    await writeChunked(p, f.bytes, contentOf(plan.round, f.path));
  }
  for (const f of plan.remove) await rm(path.join(root, f.path));
  for (const f of plan.add) {
    const p = path.join(root, f.path);
    await mkdir(path.dirname(p), { recursive: true });
    await writeChunked(p, f.bytes, contentOf(plan.round, f.path));
  }
}

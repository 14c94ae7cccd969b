// Peak memory of a process tree (a command and everything it started), sampled from /proc while it runs: the sum
// of the tree's resident set sizes at each sample, and the largest sum seen; also the root process's own peak. For
// the CLI's backup and restore, and for `lifeboat ui` during a backup.
import { readdir, readFile } from 'node:fs/promises';

const pageBytes = 4096;

/** The pids of root and all its descendants, from a pid → parent pid table. Pure. */
export function descendants(root: number, parents: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** The parent pid from /proc/<pid>/stat (the field after the parenthesised command name, which may hold spaces). Pure. */
export function parentOf(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Resident bytes of the root process and of its whole tree, now. */
async function rssNow(root: number): Promise<PeakRss> {
  const parents = new Map<number, number>();
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => '');
    if (stat) parents.set(Number(e), parentOf(stat));
  }
  let rootBytes = 0;
  let treeBytes = 0;
  for (const pid of descendants(root, parents)) {
    const statm = await readFile(`/proc/${pid}/statm`, 'utf8').catch(() => '');
    const bytes = Number(statm.split(' ')[1] ?? 0) * pageBytes;
    if (pid === root) rootBytes = bytes;
    treeBytes += bytes;
  }
  return { rootBytes, treeBytes };
}

export interface PeakRss {
  /** The root process alone. */
  rootBytes: number;
  /** The sum over the root and all its descendants (each sample's sum; the peak of those sums). */
  treeBytes: number;
}

/** Samples root and its tree every everyMs until stop() is called; stop() returns both peaks, in bytes. */
export function sampleRss(root: number, everyMs = 200): { stop: () => Promise<PeakRss> } {
  const peak: PeakRss = { rootBytes: 0, treeBytes: 0 };
  let busy: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    busy = busy.then(async () => {
      const now = await rssNow(root).catch(() => ({ rootBytes: 0, treeBytes: 0 }));
      peak.rootBytes = Math.max(peak.rootBytes, now.rootBytes);
      peak.treeBytes = Math.max(peak.treeBytes, now.treeBytes);
    });
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await busy;
      return { ...peak };
    },
  };
}

/** Samples the tree under root every everyMs until stop() is called; stop() returns the tree's peak, in bytes. */
export function sampleTreeRss(root: number, everyMs = 200): { stop: () => Promise<number> } {
  const s = sampleRss(root, everyMs);
  return { stop: async () => (await s.stop()).treeBytes };
}

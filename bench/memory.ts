// Peak memory of a process tree (a command and everything it started), sampled from /proc while it runs: the sum
// of the tree's resident set sizes at each sample, and the largest sum seen. For the CLI's backup today, and for
// `lifeboat ui` during a backup once it is here (issue 4).
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

async function treeRssBytes(root: number): Promise<number> {
  const parents = new Map<number, number>();
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => '');
    if (stat) parents.set(Number(e), parentOf(stat));
  }
  let sum = 0;
  for (const pid of descendants(root, parents)) {
    const statm = await readFile(`/proc/${pid}/statm`, 'utf8').catch(() => '');
    sum += Number(statm.split(' ')[1] ?? 0) * pageBytes;
  }
  return sum;
}

/** Samples the tree under root every everyMs until stop() is called; stop() returns the peak, in bytes. */
export function sampleTreeRss(root: number, everyMs = 200): { stop: () => Promise<number> } {
  let peak = 0;
  let busy: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    busy = busy.then(async () => {
      peak = Math.max(peak, await treeRssBytes(root).catch(() => 0));
    });
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await busy;
      return peak;
    },
  };
}

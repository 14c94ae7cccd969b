// Test helper: the assertions acceptance tests share: one clear error line, a restored disk identical to its source,
// and what a job left under a folder.
import type { ExecutionContext } from 'ava';
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { fingerprint } from './fixtures.js';
import type { LoopDisk } from './loop.js';

/** stderr is one `lifeboat: …` line matching pattern, at most a hint after it, never a stack trace. */
export function oneClearLine(t: ExecutionContext, stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  t.regex(lines[0] ?? '', /^lifeboat: /);
  t.regex(lines[0] ?? '', pattern);
  t.true(lines.length <= 2, `at most the message and a hint: ${stderr}`);
  t.notRegex(stderr, /^\s+at /m, 'no stack trace');
}

/** The target has the source's table (ids, GUIDs, types, names, starts, sizes), boot code, and every partition's ids, files and raw bytes. */
export async function sameDisk(t: ExecutionContext, source: LoopDisk, target: LoopDisk): Promise<void> {
  const want = await fingerprint(source);
  const got = await fingerprint(target);
  t.deepEqual(got.table, want.table, 'partition table: ids, GUIDs, types, names, starts and sizes');
  t.is(got.bootCode, want.bootCode, 'MBR boot code');
  for (const [node, p] of Object.entries(want.partitions)) {
    t.deepEqual(got.partitions[node]?.blkid, p.blkid, `${node}: filesystem type, UUID, label, partition entry`);
    t.deepEqual(got.partitions[node]?.files, p.files, `${node}: every file's content`);
    t.is(got.partitions[node]?.raw, p.raw, `${node}: raw content`);
  }
}

/**
 * What a job left under one folder: the backing files of loop devices and the mount points that lie there. Tests
 * run side by side, so a check for leftovers looks only under its own folders, never at every loop device or mount.
 */
export async function leftUnder(dir: string): Promise<{ loops: string[]; mounts: string[] }> {
  const under = (p: string) => p === dir || p.startsWith(`${dir}/`);
  const loops = (await execa('losetup', ['--list', '--noheadings', '-O', 'BACK-FILE'])).stdout.split('\n').map((l) => l.trim()).filter((l) => l && under(l));
  const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m && under(m));
  return { loops, mounts };
}

// What the tests of a running system's backup share (--freeze, --db): a filesystem mounted for the test (thawed and
// unmounted at its end, should a failure leave it frozen), a writer whose committed rows are logged outside the
// frozen filesystem, and an image restored onto a blank disk and mounted.
import { execa, type ResultPromise } from 'execa';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lifeboat } from './cli.js';
import { attach, makeSparse, tempDir, type LoopDisk } from './loop.js';

type Teardown = { teardown(fn: () => Promise<void> | void): void };

/** Mounts device on a fresh folder for the test; at its end thawed (should the test fail while frozen) and unmounted. */
export async function mountForTest(t: Teardown, device: string, options: string[] = []): Promise<string> {
  const dir = await tempDir('lifeboat-mnt-');
  await execa('mount', [...options, device, dir]);
  t.teardown(async () => {
    await execa('fsfreeze', ['-u', dir], { reject: false });
    await execa('umount', [dir], { reject: false });
  });
  return dir;
}

/**
 * A writer that runs `insert` (a shell command with $i, the row's number) in a loop, one transaction each, and logs
 * "i time" to `log` once it returned: what was committed, and when.
 */
export function committingWriter(t: Teardown, insert: string, log: string, env: Record<string, string> = {}) {
  const child: ResultPromise = execa('sh', ['-c', `i=0; while :; do i=$((i+1)); ${insert} || exit 1; echo "$i $(date +%s.%N)" >> "$LOG"; done`], { reject: false, env: { ...env, LOG: log } });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const rows = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => l.split(' ').map(Number) as [number, number]);
  return {
    rows,
    /** Waits until at least n rows are committed (at most 20 s). */
    async until(n: number) {
      for (let i = 0; i < 200 && (await rows()).length < n; i++) await sleep(100);
    },
    /** Whether a row is committed after this call (within 10 s): the writer goes on. */
    async goesOn() {
      const before = (await rows()).length;
      for (let i = 0; i < 100 && (await rows()).length <= before; i++) await sleep(100);
      return (await rows()).length > before;
    },
    /** Stops the writer; the ids committed before `time` (seconds since the epoch). */
    async stopAndCommittedBefore(time: number) {
      child.kill('SIGKILL');
      await child;
      return (await rows()).filter(([, at]) => at < time).map(([id]) => id);
    },
  };
}

/** Restores image onto a blank disk of sizeMiB, attached for the test. */
export async function restoredOnBlank(t: { is(a: unknown, b: unknown, m?: string): void }, dir: string, attached: LoopDisk[], image: string, sizeMiB: number): Promise<LoopDisk> {
  const targetFile = path.join(dir, 'target.img');
  await makeSparse(targetFile, sizeMiB);
  const target = await attach(targetFile);
  attached.push(target);
  const restored = await lifeboat(['restore', image, target.device, '--yes']);
  t.is(restored.exitCode, 0, restored.stderr);
  return target;
}

/** The same, with its first partition mounted for the test. */
export async function restoredAndMounted(t: Teardown & { is(a: unknown, b: unknown, m?: string): void }, dir: string, attached: LoopDisk[], image: string, sizeMiB: number): Promise<string> {
  return mountForTest(t, (await restoredOnBlank(t, dir, attached, image, sizeMiB)).part(1));
}

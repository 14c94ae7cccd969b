// A filesystem mounted on a fresh directory for the length of a function (the grow and shrink ways use it), always
// unmounted after; the directory is removed with rmdir only.
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Runner } from '../../core/runner/run.js';
import { mountArgv, type MountSpec } from './mount-options.js';

/** Runs fn with device mounted on a fresh directory (named for the job: lifeboat-grow-…); always unmounted and the directory removed. */
export async function withMounted<T>(runner: Runner, job: 'grow' | 'shrink', spec: MountSpec, mode: 'ro' | 'rw', device: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), `lifeboat-${job}-`));
  try {
    await runner.run('mount', mountArgv(spec, mode, device, dir));
    try {
      return await fn(dir);
    } finally {
      await runner.run('umount', [dir]).catch(() => undefined);
    }
  } finally {
    // rmdir, never a recursive rm: should the unmount have failed, the filesystem is still under dir.
    await rmdir(dir).catch(() => undefined);
  }
}

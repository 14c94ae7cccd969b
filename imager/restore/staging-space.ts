// Measures where staging copies can go for a shrink: the store's filesystem (beside the image) and the temporary directory.
import { constants } from 'node:fs';
import { access, realpath, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StagingSpace } from './shrink-layout.js';

async function space(dir: string, where: StagingSpace['where']): Promise<StagingSpace | undefined> {
  try {
    // access(W_OK) also says no for a read-only mount (EROFS): a store mounted read-only for the restore.
    await access(dir, constants.W_OK);
    const s = await statfs(dir);
    return { dir: await realpath(dir), where, freeBytes: s.bavail * s.bsize };
  } catch {
    return undefined;
  }
}

/** The writable places, the store first (a disk; the temporary directory of a live system is RAM). */
export async function stagingSpaces(imageDir: string): Promise<StagingSpace[]> {
  const found = await Promise.all([space(path.dirname(path.resolve(imageDir)), 'store'), space(tmpdir(), 'tmp')]);
  return found.filter((s): s is StagingSpace => s !== undefined);
}

/** The writable places when there is no store (a clone): the temporary directory only. */
export async function tempStagingSpaces(): Promise<StagingSpace[]> {
  const s = await space(tmpdir(), 'tmp');
  return s ? [s] : [];
}

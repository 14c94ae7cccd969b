// Restores one partition onto a smaller one: its image into a sparse staging file, the registry's shrink, then the target.
import { mkdtemp, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Runner } from '../../core/runner/run.js';
import { fsRecord } from '../fs/registry.js';
import type { Codec } from '../codec/codecs.js';
import type { PartcloneEvent } from '../parse/partclone.js';
import { runPipeline } from '../pipeline/run.js';
import { composePipeline } from '../pipeline/stages.js';

export interface ShrinkPartitionJob {
  /** The image pieces of the partition (partclone, compressed with codec). */
  files: string[];
  codec: Codec;
  fsType: string;
  /** The partition's size in the image, and its new size on the target. */
  oldBytes: number;
  newBytes: number;
  target: string;
  /** Where the staging file goes (a directory on the store's filesystem or the temporary directory). */
  stagingDir: string;
  signal?: AbortSignal;
  onEvent?: (e: PartcloneEvent) => void;
}

/** Runs fn with a sparse file of `bytes` in a fresh directory under dir; the file and directory are always removed. */
export async function withStagingFile<T>(dir: string, bytes: number, fn: (file: string) => Promise<T>): Promise<T> {
  const own = await mkdtemp(path.join(dir, '.lifeboat-staging-'));
  try {
    const file = path.join(own, 'fs.img');
    const fh = await open(file, 'wx');
    try {
      await fh.truncate(bytes);
    } finally {
      await fh.close();
    }
    return await fn(file);
  } finally {
    await rm(own, { recursive: true, force: true });
  }
}

export async function restoreShrunk(runner: Runner, job: ShrinkPartitionJob): Promise<void> {
  const shrinker = fsRecord(job.fsType).shrink;
  if (!shrinker) throw new Error(`no way to shrink ${job.fsType}`);
  await withStagingFile(job.stagingDir, job.oldBytes, async (staging) => {
    // -O: partclone refuses -o onto an existing regular file; the file is already as large as the partition was.
    const stages = composePipeline({ direction: 'restore', support: 'partclone', codec: job.codec, files: job.files, partclone: (fifo) => ['partclone.restore', '-f', '1', '-s', fifo, '-O', staging] });
    await runPipeline(stages, {
      runner,
      ...(job.signal ? { signal: job.signal } : {}),
      ...(job.onEvent ? { onEvent: job.onEvent } : {}),
    });
    await shrinker.shrink(runner, { staging, target: job.target, bytes: job.newBytes });
  });
  // The shrunk copy lies at the target's start, usually another than its source's: NTFS's hidden sectors and backup boot sector.
  await fsRecord(job.fsType).finish?.(job.target);
}

// Saves a partition: partclone (pty) → FIFO → compressor → cipher slot → SHA-256 in the stream → image file(s).
import type { FileDigest } from '../image/manifest.js';
import type { PipeOptions } from './common.js';
import { runPipeline } from './run.js';
import { composePipeline } from './stages.js';

export interface ImageOutput {
  dir: string;
  /** File name of the image; split pieces add .aa, .ab, … */
  base: string;
  splitBytes: number | undefined;
}

/**
 * The compressor's output passes through Node on its way to the file or pieces, and is hashed as it passes: no image
 * byte is read back from the store (over a network mount that would download every byte a second time). Returns every
 * file's digest.
 */
export async function savePartitionImage(argvFor: (fifo: string) => string[], output: ImageOutput, opts: PipeOptions): Promise<Map<string, FileDigest>> {
  const stages = composePipeline({ direction: 'save', support: 'partclone', codec: opts.codec, level: opts.level, output, partclone: argvFor });
  const { digests } = await runPipeline(stages, {
    runner: opts.runner,
    hint: 'check the partition with fsck, or image it raw',
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return digests;
}

// Saves a partition: partclone (pty) → FIFO → compressor → image file(s), each file hashed with SHA-256.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { hashWhileWritten } from '../image/follow-hash.js';
import type { FileDigest } from '../image/manifest.js';
import { PieceWriter } from '../image/pieces.js';
import { noSpaceFrom, type PipeOptions } from './common.js';
import { withPartcloneFifo } from './partclone-fifo.js';

export interface ImageOutput {
  dir: string;
  /** File name of the image; split pieces add .aa, .ab, … */
  base: string;
  splitBytes: number | undefined;
}

/**
 * Unsplit, the compressor writes the image file itself and Node hashes the file as it grows (no data through Node);
 * split into pieces, or without compression, Node's PieceWriter cuts, writes and hashes. Returns every file's digest.
 */
export async function savePartitionImage(argvFor: (fifo: string) => string[], output: ImageOutput, opts: PipeOptions): Promise<Map<string, FileDigest>> {
  const { runner, codec } = opts;
  const compress = codec.compress(opts.level);
  return withPartcloneFifo(argvFor, 'read', { ...opts, hint: 'check the partition with fsck, or image it raw' }, async (fh, job) => {
    if (compress && output.splitBytes === undefined) {
      const [cfile, ...cargs] = compress;
      const imageFile = path.join(output.dir, output.base);
      const out = await open(imageFile, 'wx');
      const comp = runner.start(cfile!, cargs, { stdin: fh.fd, stdout: out.fd, signal: job.stop.signal });
      await fh.close();
      await out.close();
      const compDone = comp.done.then(
        async () => {
          const synced = await open(imageFile, 'r');
          await synced.sync();
          await synced.close();
        },
        (e: unknown) => job.fail(noSpaceFrom(e)),
      );
      const [, digest] = await Promise.all([compDone, hashWhileWritten(imageFile, compDone).catch((e: unknown) => void job.fail(e))]);
      return new Map(digest ? [[output.base, digest]] : []);
    }
    const sink = new PieceWriter(output.dir, output.base, output.splitBytes);
    if (compress) {
      const [cfile, ...cargs] = compress;
      const comp = runner.start(cfile!, cargs, { stdin: fh.fd, stdout: 'pipe', collectStdout: false, signal: job.stop.signal });
      // The sink must be attached in the same tick as the spawn: a stream that starts flowing with no consumer
      // loses its first chunk (the compressor's header), and the image would be hashed without it.
      const written = pipeline(comp.child.stdout!, sink).catch((e: unknown) => job.fail(e));
      await fh.close();
      await Promise.all([comp.done.catch((e: unknown) => job.fail(noSpaceFrom(e))), written]);
    } else {
      await pipeline(createReadStream('', { fd: fh, highWaterMark: 4 * 1024 * 1024 }), sink).catch((e: unknown) => job.fail(e));
    }
    return sink.digests;
  });
}

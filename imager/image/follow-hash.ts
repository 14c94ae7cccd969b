// Hashes a file while another process is still writing it, so the image's SHA-256 costs no second pass.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FileDigest } from './manifest.js';

/**
 * Reads `file` as it grows until `writerDone` has settled and the end is reached. Reads come from the page cache,
 * in large blocks, on the side of the writer: the compressor writes the file itself and no data passes through
 * Node's streams.
 */
export async function hashWhileWritten(file: string, writerDone: Promise<unknown>): Promise<FileDigest> {
  let finished = false;
  void writerDone.then(
    () => (finished = true),
    () => (finished = true),
  );
  const fh = await open(file, 'r');
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
  let bytes = 0;
  try {
    for (;;) {
      const wasFinished = finished; // taken before the read: a short read after the writer ended is the true end
      const { bytesRead } = await fh.read(buf, 0, buf.length, bytes);
      if (bytesRead > 0) {
        hash.update(buf.subarray(0, bytesRead));
        bytes += bytesRead;
        continue;
      }
      if (wasFinished) break;
      await sleep(20);
    }
  } finally {
    await fh.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}

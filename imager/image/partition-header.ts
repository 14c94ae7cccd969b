// Reads the partclone header of a partition image: its first bytes, decompressed from the first piece's beginning.
import { open } from 'node:fs/promises';
import type { Runner } from '../../core/runner/run.js';
import type { Codec } from '../codec/codecs.js';
import { parsePartcloneHeader, partcloneHeaderBytes, type PartcloneHeader } from '../parse/partclone-header.js';

/** Compressed bytes handed to the decompressor: far more than the header needs in any codec. */
const headInput = 64 * 1024;

async function readHead(file: string, length: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * The header of the partclone image in `files` (pieces in order), or undefined when it has none that Lifeboat reads.
 * The decompressor gets only the first 64 KiB of the image, so it ends by itself (exit 1: the input stops early)
 * having written the data's beginning; nothing is killed and nothing else is read.
 */
export async function readPartcloneHeader(runner: Runner, files: readonly string[], codec: Codec): Promise<PartcloneHeader | undefined> {
  const first = files[0];
  if (!first) return undefined;
  const head = await readHead(first, headInput);
  const decompress = codec.decompress();
  if (!decompress) return parsePartcloneHeader(head);
  const [program, ...args] = decompress;
  const run = runner.start(program!, args, { input: head, stdout: 'pipe', collectStdout: false, okExitCodes: [1] });
  const chunks: Buffer[] = [];
  let kept = 0;
  run.child.stdout!.on('data', (c: Buffer) => {
    if (kept >= partcloneHeaderBytes) return;
    chunks.push(c);
    kept += c.length;
  });
  try {
    await run.done;
  } catch {
    return undefined; // not data this codec reads: no header to speak of (the restore's own checks say more)
  }
  return parsePartcloneHeader(Buffer.concat(chunks));
}

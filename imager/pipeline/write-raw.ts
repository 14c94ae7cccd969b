// Writes a raw (dd) partition image straight onto the target partition: partclone.dd cannot size a copy from a FIFO.
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { concatFiles, type PipeOptions } from './common.js';

export async function writeRaw(files: string[], target: string, opts: PipeOptions & { onBytes?: (bytes: number) => void }): Promise<void> {
  let fed = 0;
  const source = concatFiles(files);
  source.on('data', (c: Buffer) => {
    fed += c.length;
    opts.onBytes?.(fed);
  });
  const decompress = opts.codec.decompress();
  const fh = await open(target, 'r+');
  try {
    if (!decompress) {
      await pipeline(source, createWriteStream('', { fd: fh, autoClose: false, highWaterMark: 4 * 1024 * 1024 }));
    } else {
      const [dfile, ...dargs] = decompress;
      const dec = opts.runner.start(dfile!, dargs, { stdin: 'pipe', stdout: fh.fd, hint: 'the image file is damaged' });
      dec.child.stdin?.on('error', () => undefined); // the decompressor's own exit status tells what went wrong
      const fedDone = pipeline(source, dec.child.stdin!).catch((e: unknown) => e);
      await dec.done;
      const err = await fedDone;
      if (err) throw err;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

// Restores a partition: image file(s) → decompressor → FIFO → partclone.restore (pty) → the target partition.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { concatFiles, openSingle, type PipeOptions } from './common.js';
import { withPartcloneFifo } from './partclone-fifo.js';

/** `onFed`: every byte is in the FIFO; partclone then only writes its last blocks, waits for its tick and syncs. */
export async function feedPartclone(argvFor: (fifo: string) => string[], files: string[], opts: PipeOptions & { onFed?: () => void }): Promise<void> {
  const { runner, codec } = opts;
  const decompress = codec.decompress();
  await withPartcloneFifo(argvFor, 'write', opts, async (fh, job) => {
    if (decompress) {
      const [dfile, ...dargs] = decompress;
      // A single image file is the decompressor's stdin itself: the data then never passes through Node.
      const direct = await openSingle(files);
      const dec = runner.start(dfile!, dargs, { stdin: direct ? direct.fd : 'pipe', stdout: fh.fd, signal: job.stop.signal, hint: 'the image file is damaged' });
      dec.child.stdin?.on('error', () => undefined); // EPIPE when partclone stops early: its own error is the one to report
      await fh.close();
      await direct?.close();
      await Promise.all([
        dec.done.then(
          () => opts.onFed?.(),
          (e: unknown) => job.fail(e),
        ),
        // A broken pipe follows from the decompressor's or partclone's own failure, which is the one to report.
        direct ? undefined : pipeline(concatFiles(files), dec.child.stdin!).catch((e: unknown) => !/EPIPE|premature close/i.test(String(e)) && job.fail(e)),
      ]);
      return;
    }
    const out = new Writable({
      write(chunk: Buffer, _e, cb) {
        fh.write(chunk).then(() => cb(), cb);
      },
      final(cb) {
        fh.close().then(() => cb(), cb);
      },
    });
    await pipeline(concatFiles(files), out).then(
      () => opts.onFed?.(),
      (e: unknown) => job.fail(e),
    );
  });
}

// Checks a partition image without writing anything: partclone.chkimg on stdin, or decompression alone for raw images.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Runner } from '../../core/runner/run.js';
import { concatFiles, partcloneLines, rootCause, type PipeOptions } from './common.js';

/**
 * partclone.chkimg reading the decompressed image on its standard input (`-s -`): given a FIFO's path it tries to
 * seek and fails with "Illegal seek". Its progress goes to stderr, which is parsed line by line.
 */
export async function checkWithPartclone(argv: string[], files: string[], opts: PipeOptions & { onFed?: () => void }): Promise<void> {
  const { runner, codec } = opts;
  const [file, ...args] = argv;
  const pc = runner.start(file!, args, { stdin: 'pipe', stdout: 'ignore', onLine: partcloneLines(opts.onEvent), hint: 'the image file is damaged' });
  pc.child.stdin?.on('error', () => undefined);
  const decompress = codec.decompress();
  const errors: unknown[] = [];
  let feeding: Promise<unknown>;
  let dec: ReturnType<Runner['start']> | undefined;
  if (decompress) {
    const [dfile, ...dargs] = decompress;
    dec = runner.start(dfile!, dargs, { stdin: 'pipe', stdout: 'pipe', collectStdout: false, hint: 'the image file is damaged' });
    dec.child.stdin?.on('error', () => undefined);
    feeding = Promise.all([
      pipeline(concatFiles(files), dec.child.stdin!).catch((e: unknown) => errors.push(e)),
      pipeline(dec.child.stdout!, pc.child.stdin!).catch((e: unknown) => errors.push(e)),
    ]);
  } else {
    feeding = pipeline(concatFiles(files), pc.child.stdin!).catch((e: unknown) => errors.push(e));
  }
  // Every byte is in partclone's pipe: from here it only finishes the last blocks and waits for its progress tick.
  void feeding.then(() => opts.onFed?.());
  const [pcResult, decResult] = await Promise.allSettled([pc.done, dec?.done ?? Promise.resolve(undefined)]);
  await feeding;
  // partclone's own verdict (a CRC error) explains more than the decompressor's broken pipe that follows from it.
  if (pcResult.status === 'rejected') throw pcResult.reason;
  if (decResult.status === 'rejected') throw decResult.reason;
  if (errors.length > 0) throw rootCause(errors, undefined);
}

/** Decompresses the files to nowhere: the check for raw images, which carry no partclone header. */
export async function checkDecompresses(files: string[], opts: PipeOptions): Promise<void> {
  const decompress = opts.codec.decompress();
  if (!decompress) {
    await pipeline(concatFiles(files), new Writable({ write: (_c, _e, cb) => cb() }));
    return;
  }
  const [dfile, ...dargs] = decompress;
  const dec = opts.runner.start(dfile!, dargs, { stdin: 'pipe', stdout: 'ignore', hint: 'the image file is damaged' });
  dec.child.stdin?.on('error', () => undefined);
  const fed = pipeline(concatFiles(files), dec.child.stdin!).catch((e: unknown) => e);
  const [r] = await Promise.allSettled([dec.done, fed]);
  if (r.status === 'rejected') throw r.reason;
}

// The two partclone pipelines: partclone (pty) → FIFO → compressor → pieces, and pieces → decompressor → FIFO → partclone (pty).
import { createReadStream, createWriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CommandError, LifeboatError, NoSpaceError } from '../errors.js';
import { hashWhileWritten } from '../image/follow-hash.js';
import type { FileDigest } from '../image/manifest.js';
import { PieceWriter } from '../image/pieces.js';
import path from 'node:path';
import type { Codec } from '../codec/codecs.js';
import { parsePartcloneLine, type PartcloneEvent } from '../parse/partclone.js';
import type { Runner } from '../runner/run.js';
import { makeFifo } from './fifo.js';

export interface PipeOptions {
  runner: Runner;
  codec: Codec;
  level?: number | undefined;
  onEvent?: (e: PartcloneEvent) => void;
  signal?: AbortSignal;
}

/** Reads the files in order as one stream (split pieces joined back together). */
export function concatFiles(files: string[]): Readable {
  return Readable.from(
    (async function* () {
      for (const f of files) yield* createReadStream(f, { highWaterMark: 4 * 1024 * 1024 });
    })(),
  );
}

/**
 * The image file opened for reading when there is exactly one (no split pieces), to hand to the decompressor as its
 * stdin; undefined for pieces, or when it cannot be opened (then the streamed path reports that as it always did).
 */
async function openSingle(files: string[]): Promise<FileHandle | undefined> {
  if (files.length !== 1) return undefined;
  try {
    return await open(files[0]!, 'r');
  } catch {
    return undefined;
  }
}

/** The most telling of several failures: a full disk, then partclone's own error, then the rest. */
function rootCause(errors: unknown[], partcloneError: unknown): unknown {
  const real = errors.filter((e) => e !== undefined);
  const noSpace = real.find((e) => e instanceof LifeboatError && e.kind === 'no-space');
  if (noSpace) return noSpace;
  if (partcloneError !== undefined) return partcloneError;
  const notPipe = real.find((e) => !/EPIPE|SIGPIPE|premature close/i.test(String((e as Error).message ?? e)));
  return notPipe ?? real[0];
}

function onLines(onEvent: ((e: PartcloneEvent) => void) | undefined) {
  return (line: string) => {
    const e = parsePartcloneLine(line);
    if (e && onEvent) onEvent(e);
  };
}

/** partclone writes the image of a partition into a FIFO; it is compressed and written into sink. */
export interface ImageOutput {
  dir: string;
  /** File name of the image; split pieces add .aa, .ab, … */
  base: string;
  splitBytes: number | undefined;
}

/** A compressor that failed for lack of room says so in its stderr; that is a full destination, not a tool failure. */
function noSpaceFrom(e: unknown): unknown {
  if (e instanceof CommandError && /No space left on device|Disk quota exceeded/i.test(e.stderrTail))
    return new NoSpaceError('the destination is full', 'free space or choose another destination', e);
  return e;
}

/**
 * partclone writes the image of a partition into a FIFO; a compressor reads it. Unsplit, the compressor writes the
 * image file itself and Node hashes the file as it grows (no data through Node); split into pieces, or without
 * compression, Node's PieceWriter cuts, writes and hashes. Returns the digest of every file written.
 */
export async function savePartitionImage(argvFor: (fifo: string) => string[], output: ImageOutput, opts: PipeOptions): Promise<Map<string, FileDigest>> {
  const { runner, codec } = opts;
  const fifo = await makeFifo(runner);
  const stop = new AbortController();
  const abort = () => stop.abort();
  opts.signal?.addEventListener('abort', abort, { once: true });
  let partcloneError: unknown;
  const errors: unknown[] = [];
  try {
    const [file, ...args] = argvFor(fifo.path);
    const pc = runner.pty(file!, args, { onLine: onLines(opts.onEvent), signal: stop.signal, hint: 'check the partition with fsck, or image it raw' });
    const pcDone = pc.then(
      () => undefined,
      (e: unknown) => {
        partcloneError = e;
        stop.abort();
      },
    );
    void pcDone.then(() => fifo.unblock());
    const fh = await fifo.openRead();
    let dataDone: Promise<unknown>;
    let digests: () => Map<string, FileDigest>;
    const compress = codec.compress(opts.level);
    if (compress && output.splitBytes === undefined) {
      const [cfile, ...cargs] = compress;
      const imageFile = path.join(output.dir, output.base);
      const out = await open(imageFile, 'wx');
      const comp = runner.start(cfile!, cargs, { stdin: fh.fd, stdout: out.fd, signal: stop.signal });
      await fh.close();
      await out.close();
      const compDone = comp.done.then(
        async () => {
          const fd = await open(imageFile, 'r');
          await fd.sync();
          await fd.close();
        },
        (e: unknown) => {
          errors.push(noSpaceFrom(e));
          stop.abort();
        },
      );
      let digest: FileDigest | undefined;
      const hashed = hashWhileWritten(imageFile, compDone).then(
        (d) => void (digest = d),
        (e: unknown) => {
          errors.push(e);
          stop.abort();
        },
      );
      dataDone = Promise.all([compDone, hashed]);
      digests = () => new Map([[output.base, digest!]]);
    } else if (compress) {
      const sink = new PieceWriter(output.dir, output.base, output.splitBytes);
      digests = () => sink.digests;
      const [cfile, ...cargs] = compress;
      const comp = runner.start(cfile!, cargs, { stdin: fh.fd, stdout: 'pipe', collectStdout: false, signal: stop.signal });
      // The sink must be attached in the same tick as the spawn: a stream that starts flowing with no consumer
      // loses its first chunk (the compressor's header), and the image would be hashed without it.
      const written = pipeline(comp.child.stdout!, sink).catch((e: unknown) => {
        errors.push(e);
        stop.abort();
      });
      dataDone = Promise.all([
        comp.done.catch((e: unknown) => {
          errors.push(e);
          stop.abort();
        }),
        written,
      ]);
      await fh.close();
    } else {
      const sink = new PieceWriter(output.dir, output.base, output.splitBytes);
      digests = () => sink.digests;
      const input = createReadStream('', { fd: fh, highWaterMark: 4 * 1024 * 1024 });
      dataDone = pipeline(input, sink).catch((e: unknown) => {
        errors.push(e);
        stop.abort();
      });
    }
    await Promise.all([pcDone, dataDone]);
    if (partcloneError !== undefined || errors.length > 0) throw rootCause(errors, partcloneError);
    if (opts.signal?.aborted) throw new LifeboatError('interrupted', 'interrupted');
    return digests();
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    await fifo.remove();
  }
}

/** The image files are decompressed into a FIFO that partclone (restore or check) reads. */
export async function feedPartclone(argvFor: (fifo: string) => string[], files: string[], opts: PipeOptions): Promise<void> {
  const { runner, codec } = opts;
  const fifo = await makeFifo(runner);
  const stop = new AbortController();
  const abort = () => stop.abort();
  opts.signal?.addEventListener('abort', abort, { once: true });
  let partcloneError: unknown;
  const errors: unknown[] = [];
  try {
    const [file, ...args] = argvFor(fifo.path);
    const pc = runner.pty(file!, args, { onLine: onLines(opts.onEvent), signal: stop.signal });
    const pcDone = pc.then(
      () => undefined,
      (e: unknown) => {
        partcloneError = e;
        stop.abort();
      },
    );
    void pcDone.then(() => fifo.unblock());
    const fh = await fifo.openWrite();
    let dataDone: Promise<unknown>;
    const decompress = codec.decompress();
    if (decompress) {
      const [dfile, ...dargs] = decompress;
      // A single image file is the decompressor's stdin itself: the data then never passes through Node.
      const direct = await openSingle(files);
      const dec = runner.start(dfile!, dargs, { stdin: direct ? direct.fd : 'pipe', stdout: fh.fd, signal: stop.signal, hint: 'the image file is damaged' });
      dec.child.stdin?.on('error', () => undefined); // EPIPE when partclone stops early: its own error is the one to report
      await fh.close();
      await direct?.close();
      dataDone = Promise.all([
        dec.done.catch((e: unknown) => {
          errors.push(e);
          stop.abort();
        }),
        direct
          ? undefined
          : pipeline(concatFiles(files), dec.child.stdin!).catch((e: unknown) => {
              errors.push(e);
            }),
      ]);
    } else {
      const out = new Writable({
        write(chunk: Buffer, _e, cb) {
          fh.write(chunk).then(() => cb(), cb);
        },
        final(cb) {
          fh.close().then(() => cb(), cb);
        },
      });
      dataDone = pipeline(concatFiles(files), out).catch((e: unknown) => {
        errors.push(e);
        stop.abort();
      });
    }
    await Promise.all([pcDone, dataDone]);
    if (partcloneError !== undefined || errors.length > 0) throw rootCause(errors, partcloneError);
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    await fifo.remove();
  }
}

/**
 * partclone.chkimg reading the decompressed image on its standard input (`-s -`): given a FIFO's path it tries to
 * seek and fails with "Illegal seek". Its progress goes to stderr, which is parsed line by line.
 */
export async function checkWithPartclone(argv: string[], files: string[], opts: PipeOptions): Promise<void> {
  const { runner, codec } = opts;
  const [file, ...args] = argv;
  const pc = runner.start(file!, args, { stdin: 'pipe', stdout: 'ignore', onLine: onLines(opts.onEvent), hint: 'the image file is damaged' });
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
  const [pcResult, decResult] = await Promise.allSettled([pc.done, dec?.done ?? Promise.resolve(undefined)]);
  await feeding;
  // partclone's own verdict (a CRC error) explains more than the decompressor's broken pipe that follows from it.
  if (pcResult.status === 'rejected') throw pcResult.reason;
  if (decResult.status === 'rejected') throw decResult.reason;
  if (errors.length > 0) throw rootCause(errors, undefined);
}

/** Decompresses a raw image (Clonezilla's dd-ptcl-img) straight onto the target partition. */
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
  if (r.status === 'rejected') throw r.reason instanceof CommandError ? r.reason : r.reason;
}

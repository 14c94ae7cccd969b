// Runs a composed pipeline: each stage started and joined to the next (fds where both ends allow it), one failure rule.
import { createReadStream, createWriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InterruptedError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import type { FileDigest } from '../image/manifest.js';
import { PieceWriter } from '../image/pieces.js';
import type { PartcloneEvent } from '../parse/partclone.js';
import { concatFiles, noSpaceFrom, partcloneLines, readChunk } from './common.js';
import { DigestCheck } from './digest-check.js';
import { GatedSink } from './gated-sink.js';
import { makeFifo, type Fifo } from './fifo.js';
import { rankFailures, type Failure } from './failures.js';
import type { Stage } from './stages.js';

export interface RunPipelineOptions {
  runner: Runner;
  /** partclone's parsed output (progress). */
  onEvent?: (e: PartcloneEvent) => void;
  /** Bytes read from the image's files so far, where they pass through Node (a raw restore's progress). */
  onSourceBytes?: (bytes: number) => void;
  /**
   * The data is through: every stage but the last has finished, and the last (partclone) only finishes its own tail
   * (its last blocks, its progress tick, its sync). Fired once, before the promise settles, on success only.
   */
  onThrough?: () => void;
  signal?: AbortSignal;
  /** The hint of partclone's failure (`check the partition with fsck`, `the image file is damaged`). */
  hint?: string;
}

export interface PipelineResult {
  /** Every file a pieces sink wrote, with its size and SHA-256 (taken in the stream). */
  digests: Map<string, FileDigest>;
}

/** What the next stage reads from: an fd a process can take as its stdin, a Node stream, or the files themselves. */
type Upstream = { fd: FileHandle } | { stream: Readable } | { files: string[] } | undefined;

/** A stage that is a filter process (stdin to stdout). */
const isFilter = (s: Stage | undefined) => s?.kind === 'codec' || s?.kind === 'cipher';
const big = readChunk;

export async function runPipeline(stages: Stage[], opts: RunPipelineOptions): Promise<PipelineResult> {
  const { runner } = opts;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const failures: Failure[] = [];
  const fail = (error: unknown, fromPartclone = false) => {
    failures.push({ error, fromPartclone, afterStop: stop.signal.aborted });
    stop.abort();
  };
  /** The last stage's own work, and everything before it (whose end is "the data is through"). */
  const tail: Promise<unknown>[] = [];
  const feeding: Promise<unknown>[] = [];
  const handles: FileHandle[] = [];
  /** Handles whose fd a process took over: ours are closed once every process started. */
  const given = new Set<FileHandle>();
  let fifo: Fifo | undefined;
  let sink: PieceWriter | undefined;
  let gated: { file: string; sink: GatedSink } | undefined;
  const last = stages[stages.length - 1];
  try {
    // 1. partclone on its FIFO first: opening our end waits for it (and is released if it dies before opening its own).
    let fifoEnd: FileHandle | undefined;
    const pcStage = stages.find((s) => s.kind === 'partclone-fifo');
    if (pcStage?.kind === 'partclone-fifo') {
      fifo = await makeFifo(runner);
      const [file, ...args] = pcStage.argvFor(fifo.path);
      const f = fifo;
      const pc = runner.pty(file!, args, { onLine: partcloneLines(opts.onEvent), signal: stop.signal, ...(opts.hint ? { hint: opts.hint } : {}) }).then(
        () => undefined,
        (e: unknown) => fail(e, true),
      );
      void pc.then(() => f.unblock());
      (pcStage === last ? tail : feeding).push(pc);
      fifoEnd = await (pcStage.end === 'source' ? fifo.openRead() : fifo.openWrite());
      handles.push(fifoEnd);
    }
    let device: FileHandle | undefined;
    if (last?.kind === 'block-device') handles.push((device = await open(last.path, 'r+')));
    // Counting the source's bytes needs them to pass through Node.
    const singleFile = opts.onSourceBytes ? undefined : await openSingleSource(stages, handles);

    // 2. Every other stage, left to right; a process's stdout is the next stage's fd where it has one.
    let up: Upstream;
    const asStream = (u: Upstream): Readable => {
      if (!u) throw new Error('runPipeline: a stage has no input');
      if ('stream' in u) return u.stream;
      if ('fd' in u) return createReadStream('', { fd: u.fd, highWaterMark: big, autoClose: false });
      const s = concatFiles(u.files);
      if (opts.onSourceBytes) {
        let n = 0;
        const report = opts.onSourceBytes;
        s.on('data', (c: Buffer) => report((n += c.length)));
      }
      return s;
    };
    /** Joins a Node stream into a writable; counted with the feeding unless it is the last stage's own. */
    const join = (from: Upstream, to: Writable, own: boolean) => {
      const p = pipeline(asStream(from), to).catch((e: unknown) => fail(e));
      (own ? tail : feeding).push(p);
    };
    for (const [i, s] of stages.entries()) {
      const next = stages[i + 1];
      switch (s.kind) {
        case 'files':
          up = singleFile && isFilter(next) ? { fd: singleFile } : { files: s.files };
          break;
        case 'command-source': {
          const [file, ...args] = s.argv;
          const explain = s.explain ?? ((e: unknown) => e);
          const child = runner.start(file!, args, { stdout: 'pipe', collectStdout: false, ...(s.env ? { env: s.env } : {}), signal: stop.signal });
          const printed = child.done.then(
            () => true,
            (e: unknown) => {
              fail(explain(e));
              return false;
            },
          );
          feeding.push(printed);
          // The stream passes through Node anyway (a process's stdout into the next one's stdin): it is checked there.
          const check = new DigestCheck(s.file, s.expect, printed, opts.onSourceBytes);
          feeding.push(pipeline(child.child.stdout!, check).catch((e: unknown) => fail(e)));
          up = { stream: check };
          break;
        }
        case 'partclone-fifo':
          if (s.end === 'source') up = { fd: fifoEnd! };
          else if (up) join(up, fileWriter(fifoEnd!), false);
          break;
        case 'codec':
        case 'cipher': {
          const [file, ...args] = s.argv;
          const stdin = up && 'fd' in up ? up.fd.fd : 'pipe';
          const nextFd = next?.kind === 'partclone-fifo' ? fifoEnd : next?.kind === 'block-device' ? device : undefined;
          const stdout = nextFd ? nextFd.fd : next?.kind === 'nothing' ? 'ignore' : 'pipe';
          if (up && 'fd' in up) given.add(up.fd);
          if (nextFd && nextFd !== device) given.add(nextFd); // the device stays open here for its sync
          const reading = s.op === 'decompress' || s.op === 'decrypt';
          const hint = reading ? { hint: s.kind === 'cipher' ? 'the image file is damaged, or its key is wrong' : 'the image file is damaged' } : {};
          const child = runner.start(file!, args, { stdin, stdout, collectStdout: false, signal: stop.signal, ...hint });
          child.child.stdin?.on('error', () => undefined); // EPIPE when a later stage stops early: its own error tells why
          const done = child.done.catch((e: unknown) => fail(reading ? e : noSpaceFrom(e)));
          (s === last ? tail : feeding).push(done);
          if (stdin === 'pipe') join(up, child.child.stdin!, false);
          // The next stage attaches in this same tick: a stream that flows with no consumer loses its first chunk.
          up = stdout === 'pipe' ? { stream: child.child.stdout! } : undefined;
          break;
        }
        case 'partclone-stdin': {
          const [file, ...args] = s.argv;
          const pc = runner.start(file!, args, { stdin: 'pipe', stdout: 'ignore', onLine: partcloneLines(opts.onEvent), signal: stop.signal, ...(opts.hint ? { hint: opts.hint } : {}) });
          pc.child.stdin?.on('error', () => undefined);
          tail.push(pc.done.catch((e: unknown) => fail(e, true)));
          join(up, pc.child.stdin!, false);
          break;
        }
        case 'hash':
          if (next?.kind !== 'pieces' && next?.kind !== 'command') throw new Error('runPipeline: the hash stage hashes the files a pieces or command sink takes');
          break;
        case 'pieces':
          sink = new PieceWriter(s.dir, s.base, s.splitBytes);
          join(up, sink, true);
          break;
        case 'command': {
          const [file, ...args] = s.argv;
          const explain = s.explain ?? ((e: unknown) => e);
          const child = runner.start(file!, args, { stdin: 'pipe', ...(s.env ? { env: s.env } : {}), signal: stop.signal });
          child.child.stdin?.on('error', () => undefined);
          // The command sees its input's end only when everything before it succeeded (the feeding stages so far).
          const upstream = [...feeding];
          const g = new GatedSink(child.child.stdin!, async () => {
            await Promise.all(upstream);
            return failures.length === 0;
          });
          gated = { file: s.file, sink: g };
          join(up, g, true);
          const onOutput = s.onOutput;
          tail.push(child.done.then((r) => onOutput?.(r.stdout), (e: unknown) => fail(explain(e))));
          break;
        }
        case 'block-device':
          // The numeric fd, not the FileHandle: a stream on a FileHandle holds a reference that only its own close
          // drops, and the handle's close() below would then wait forever (an uncompressed raw image's restore hung).
          if (up) join(up, createWriteStream('', { fd: device!.fd, autoClose: false, highWaterMark: big }), true);
          break;
        case 'nothing':
          if (up) join(up, new Writable({ write: (_c, _e, cb) => cb() }), true);
          break;
      }
    }
    // Our copies of the fds the processes now hold: a FIFO's writer must close for partclone to see the end.
    for (const h of given) await h.close();
    await Promise.all(feeding);
    if (failures.length === 0 && last?.kind !== 'block-device') opts.onThrough?.();
    await Promise.all(tail);
    if (device && failures.length === 0) await device.sync().catch((e: unknown) => fail(e));
    if (failures.length > 0 && !opts.signal?.aborted) throw rankFailures(failures);
    if (opts.signal?.aborted) throw new InterruptedError('interrupted');
    if (last?.kind === 'block-device') opts.onThrough?.();
    const digests = sink?.digests ?? new Map<string, FileDigest>();
    if (gated) digests.set(gated.file, gated.sink.digest());
    return { digests };
  } catch (e) {
    // A stage that could not even start (an image file or device that cannot be opened: a store gone mid-job) stops
    // every process already started, so that none is left blocked on a FIFO nobody serves.
    stop.abort();
    await Promise.allSettled([...feeding, ...tail]);
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    for (const h of handles) await h.close().catch(() => undefined);
    await fifo?.remove();
  }
}

/** A single image file (no pieces) read straight by the decompressor as its stdin: its data never passes through Node. */
async function openSingleSource(stages: Stage[], handles: FileHandle[]): Promise<FileHandle | undefined> {
  const i = stages.findIndex((s) => s.kind === 'files');
  const s = stages[i];
  if (s?.kind !== 'files' || s.files.length !== 1 || !isFilter(stages[i + 1])) return undefined;
  try {
    const fh = await open(s.files[0]!, 'r');
    handles.push(fh);
    return fh;
  } catch {
    return undefined; // the streamed path then reports the missing file as it always did
  }
}

/** A writable over a file handle (a FIFO's write end), closed at the end so the reader sees EOF. */
function fileWriter(fh: FileHandle): Writable {
  return new Writable({
    highWaterMark: big,
    write(chunk: Buffer, _e, cb) {
      fh.write(chunk).then(() => cb(), cb);
    },
    final(cb) {
      fh.close().then(() => cb(), cb);
    },
  });
}

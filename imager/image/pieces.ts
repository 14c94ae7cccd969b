// Writes a stream into an image file, or into pieces of at most splitBytes (.aa, .ab, …), hashing each as it goes.
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { NoSpaceError } from '../../core/errors.js';
import { pieceSuffix } from './layout.js';
import type { FileDigest } from './manifest.js';

export class PieceWriter extends Writable {
  readonly digests = new Map<string, FileDigest>();
  private current: { name: string; fh: FileHandle; hash: Hash; bytes: number } | undefined;
  private index = 0;

  constructor(
    private readonly dir: string,
    private readonly base: string,
    private readonly splitBytes: number | undefined,
  ) {
    super({ highWaterMark: 4 * 1024 * 1024 });
  }

  get totalBytes(): number {
    let n = 0;
    for (const d of this.digests.values()) n += d.bytes;
    return n + (this.current?.bytes ?? 0);
  }

  private async openNext(): Promise<void> {
    const name = this.splitBytes === undefined ? this.base : `${this.base}.${pieceSuffix(this.index++)}`;
    const fh = await open(path.join(this.dir, name), 'wx');
    this.current = { name, fh, hash: createHash('sha256'), bytes: 0 };
  }

  private async closeCurrent(): Promise<void> {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    await c.fh.sync();
    await c.fh.close();
    this.digests.set(c.name, { bytes: c.bytes, sha256: c.hash.digest('hex') });
  }

  /**
   * Writes chunks in order, cutting pieces at splitBytes. The parts bound for one piece go out in one writev
   * (the stream hands over everything that queued up while the previous write ran), then are hashed.
   */
  private async put(chunks: Buffer[]): Promise<void> {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const c = this.current!;
      await writeAll(c.fh, pending);
      for (const part of pending) c.hash.update(part);
      c.bytes += pendingBytes;
      pending = [];
      pendingBytes = 0;
    };
    for (const chunk of chunks) {
      let offset = 0;
      while (offset < chunk.length) {
        if (!this.current) await this.openNext();
        const c = this.current!;
        const room = this.splitBytes === undefined ? chunk.length - offset : Math.min(chunk.length - offset, this.splitBytes - c.bytes - pendingBytes);
        pending.push(chunk.subarray(offset, offset + room));
        pendingBytes += room;
        offset += room;
        if (this.splitBytes !== undefined && c.bytes + pendingBytes >= this.splitBytes) {
          await flush();
          await this.closeCurrent();
        }
      }
    }
    await flush();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.put([chunk]).then(() => cb(), (e: unknown) => cb(toError(e)));
  }

  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, cb: (e?: Error | null) => void): void {
    this.put(chunks.map((c) => c.chunk)).then(() => cb(), (e: unknown) => cb(toError(e)));
  }

  override _final(cb: (e?: Error | null) => void): void {
    (async () => {
      if (!this.current && this.digests.size === 0) await this.openNext(); // an empty stream still makes its file
      await this.closeCurrent();
    })().then(() => cb(), (e: unknown) => cb(toError(e)));
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    const c = this.current;
    this.current = undefined;
    (c ? c.fh.close() : Promise.resolve()).then(() => cb(err), () => cb(err));
  }
}

/** Writes every buffer at the file position, however many calls that takes. */
async function writeAll(fh: FileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest);
    let n = bytesWritten;
    let i = 0;
    while (i < rest.length && n >= rest[i]!.length) n -= rest[i++]!.length;
    rest = rest.slice(i);
    if (n > 0) rest[0] = rest[0]!.subarray(n);
  }
}

function toError(e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new NoSpaceError('the destination is full', 'free space or choose another destination', e);
  return e instanceof Error ? e : new Error(String(e));
}

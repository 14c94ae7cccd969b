// A writable in front of a command's stdin that hashes what passes and ends the command's input only when a verdict
// says the stream is whole: otherwise it fails without ending it, so the command is stopped before it sees an end.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FileDigest } from '../image/manifest.js';
import { readChunk } from './common.js';

export class GatedSink extends Writable {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private pending: ((e?: Error) => void) | undefined;
  private gone = false;

  constructor(
    private readonly to: Writable,
    private readonly whole: () => Promise<boolean>,
  ) {
    super({ highWaterMark: readChunk });
    const onGone = () => {
      this.gone = true;
      const cb = this.pending;
      this.pending = undefined;
      cb?.(new Error('EPIPE: the command stopped reading'));
    };
    to.once('close', onGone);
    to.once('error', onGone);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error) => void): void {
    if (this.gone) return cb(new Error('EPIPE: the command stopped reading'));
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.to.write(chunk)) return cb();
    this.pending = cb;
    this.to.once('drain', () => {
      const p = this.pending;
      this.pending = undefined;
      p?.();
    });
  }

  override _final(cb: (e?: Error) => void): void {
    this.whole().then(
      (ok) => {
        if (!ok || this.gone) return cb(new Error('the stream was not whole: its end was withheld from the command'));
        this.to.end(() => cb());
      },
      (e: unknown) => cb(e as Error),
    );
  }

  /** Size and SHA-256 of what passed. */
  digest(): FileDigest {
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

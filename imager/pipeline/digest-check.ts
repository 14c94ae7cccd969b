// A pass-through that hashes and counts what flows, and at the end fails unless it was exactly the expected stream
// (size and SHA-256): a stream read back from a store is held to the digest taken when it was written. The verdict
// waits for the command that printed the stream: a command that failed has its own reason, which says more.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { InvalidImageError } from '../../core/errors.js';
import type { FileDigest } from '../image/manifest.js';
import { readChunk } from './common.js';

export class DigestCheck extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(
    private readonly file: string,
    private readonly expect: FileDigest | undefined,
    /** Whether the command that printed the stream succeeded; no verdict on the stream when it did not. */
    private readonly printed: Promise<boolean>,
    private readonly onBytes?: (bytes: number) => void,
  ) {
    super({ highWaterMark: readChunk });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.printed.then((ok) => this.verdict(ok, cb), () => cb());
  }

  private verdict(ok: boolean, cb: TransformCallback): void {
    if (!ok) return cb();
    const sha256 = this.hash.digest('hex');
    const want = this.expect;
    if (want && (want.bytes !== this.bytes || want.sha256 !== sha256))
      return cb(
        new InvalidImageError(`${this.file} read back as ${this.bytes} bytes with SHA-256 ${sha256.slice(0, 16)}…, but its manifest says ${want.bytes} bytes, ${want.sha256.slice(0, 16)}…`, {
          file: this.file,
          hint: 'the stored stream is damaged; verify the source, or use another snapshot',
        }),
      );
    cb();
  }
}

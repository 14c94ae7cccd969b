// Runs partclone under a pty on one end of a FIFO while a body works the other end; collects and ranks their failures.
import type { FileHandle } from 'node:fs/promises';
import { InterruptedError } from '../../core/errors.js';
import { partcloneLines, rootCause, type PipeOptions } from './common.js';
import { makeFifo } from './fifo.js';

export interface FifoJob {
  /** Aborted when any part fails, or the caller's signal fires: every command of the job is stopped. */
  stop: AbortController;
  /** Records a failure of the body's part and stops the job. */
  fail(e: unknown): void;
}

/**
 * partclone's argv gets the FIFO's path; the body gets our end of the FIFO (read or write), opened once partclone
 * opened its own, and returns a promise that settles when the data has passed. If partclone dies before it opens the
 * FIFO, the open is released instead of hanging.
 */
export async function withPartcloneFifo<T>(
  argvFor: (fifo: string) => string[],
  ourEnd: 'read' | 'write',
  opts: PipeOptions & { hint?: string },
  body: (fh: FileHandle, job: FifoJob) => Promise<T>,
): Promise<T> {
  const fifo = await makeFifo(opts.runner);
  const stop = new AbortController();
  const abort = () => stop.abort();
  opts.signal?.addEventListener('abort', abort, { once: true });
  let partcloneError: unknown;
  const errors: unknown[] = [];
  const job: FifoJob = {
    stop,
    fail(e) {
      errors.push(e);
      stop.abort();
    },
  };
  try {
    const [file, ...args] = argvFor(fifo.path);
    const pcDone = opts.runner.pty(file!, args, { onLine: partcloneLines(opts.onEvent), signal: stop.signal, ...(opts.hint ? { hint: opts.hint } : {}) }).then(
      () => undefined,
      (e: unknown) => {
        partcloneError = e;
        stop.abort();
      },
    );
    void pcDone.then(() => fifo.unblock());
    const fh = await (ourEnd === 'read' ? fifo.openRead() : fifo.openWrite());
    // A body that throws (its image file could not even be opened: a store gone mid-job) stops partclone and lets go
    // of our end, so partclone is not left blocked on a FIFO nobody reads; its error is the cause, not partclone's end.
    let bodyFailed: { e: unknown } | undefined;
    const bodyDone = body(fh, job).then(
      (r) => r,
      (e: unknown) => {
        bodyFailed = { e };
        stop.abort();
        return undefined;
      },
    );
    const [, result] = await Promise.all([pcDone, bodyDone.finally(() => fh.close().catch(() => undefined))]);
    if (bodyFailed) throw bodyFailed.e;
    if (partcloneError !== undefined || errors.length > 0) throw rootCause(errors, partcloneError);
    if (opts.signal?.aborted) throw new InterruptedError('interrupted');
    return result as T;
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    await fifo.remove();
  }
}

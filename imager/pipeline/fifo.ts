// Named pipes that carry image data between partclone (under a pty) and the compressor, and how to never hang on one.
import { constants } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Runner } from '../../core/runner/run.js';

export interface Fifo {
  path: string;
  /** Opens the read end; resolves once a writer has opened the other end. */
  openRead(): Promise<FileHandle>;
  /** Opens the write end; resolves once a reader has opened the other end. */
  openWrite(): Promise<FileHandle>;
  /** Releases anyone blocked in open() on either end (after the peer process died before opening it). */
  unblock(): Promise<void>;
  remove(): Promise<void>;
}

export async function makeFifo(runner: Runner, name = 'data'): Promise<Fifo> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-fifo-'));
  const file = path.join(dir, name);
  await runner.run('mkfifo', ['-m', '600', file]);
  return {
    path: file,
    openRead: () => open(file, constants.O_RDONLY),
    openWrite: () => open(file, constants.O_WRONLY),
    async unblock() {
      // Opening a FIFO read-write never blocks on Linux and counts as both a reader and a writer.
      try {
        const fh = await open(file, constants.O_RDWR | constants.O_NONBLOCK);
        await fh.close();
      } catch {
        /* already gone */
      }
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

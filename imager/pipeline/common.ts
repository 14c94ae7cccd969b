// What the partclone pipelines share: their options, joined image pieces, and how several failures become one.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { CommandError, LifeboatError, NoSpaceError } from '../../core/errors.js';
import type { Codec } from '../codec/codecs.js';
import { parsePartcloneLine, type PartcloneEvent } from '../parse/partclone.js';
import type { Runner } from '../../core/runner/run.js';

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
export async function openSingle(files: string[]): Promise<FileHandle | undefined> {
  if (files.length !== 1) return undefined;
  try {
    return await open(files[0]!, 'r');
  } catch {
    return undefined;
  }
}

/** The most telling of several failures: a full disk, then partclone's own error, then the rest. */
export function rootCause(errors: unknown[], partcloneError: unknown): unknown {
  const real = errors.filter((e) => e !== undefined);
  const noSpace = real.find((e) => e instanceof LifeboatError && e.kind === 'no-space');
  if (noSpace) return noSpace;
  if (partcloneError !== undefined) return partcloneError;
  const notPipe = real.find((e) => !/EPIPE|SIGPIPE|premature close/i.test(String((e as Error).message ?? e)));
  return notPipe ?? real[0];
}

/** A line handler that turns partclone's output into typed events. */
export function partcloneLines(onEvent: ((e: PartcloneEvent) => void) | undefined): (line: string) => void {
  return (line: string) => {
    const e = parsePartcloneLine(line);
    if (e && onEvent) onEvent(e);
  };
}

/** A compressor that failed for lack of room says so in its stderr; that is a full destination, not a tool failure. */
export function noSpaceFrom(e: unknown): unknown {
  if (e instanceof CommandError && /No space left on device|Disk quota exceeded/i.test(e.stderrTail))
    return new NoSpaceError('the destination is full', 'free space or choose another destination', e);
  return e;
}

// What the stages of a pipeline share: joined image pieces, partclone's lines as events, a compressor's full disk.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { CommandError, NoSpaceError } from '../../core/errors.js';
import { parsePartcloneLine, type PartcloneEvent } from '../parse/partclone.js';

/** Read size of the image's files (restore, check): large reads cost less per byte than the default 64 KiB. */
export const readChunk = 4 * 1024 * 1024;

/** Reads the files in order as one stream (split pieces joined back together). */
export function concatFiles(files: string[]): Readable {
  return Readable.from(
    (async function* () {
      for (const f of files) yield* createReadStream(f, { highWaterMark: readChunk });
    })(),
  );
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

// Parses a GNU ddrescue mapfile (status line, then "pos size status" blocks) into the areas not rescued.
import type { ByteRange } from '../rescue/ranges.js';

export interface DdrescueMap {
  /** The status character of the run: '+' finished; '?', '*', '/', '-' a phase that did not end. */
  status: string;
  /** Every block whose status is not '+' (bad sectors '-', or areas not tried, trimmed or scraped). */
  unreadable: ByteRange[];
  /** Bytes the blocks cover. */
  bytes: number;
}

export function parseDdrescueMap(text: string): DdrescueMap {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
  const [statusLine, ...blocks] = lines;
  const status = statusLine?.split(/\s+/)[1];
  if (!status) throw new Error('a ddrescue mapfile without its status line');
  const unreadable: ByteRange[] = [];
  let bytes = 0;
  for (const l of blocks) {
    const [pos, size, st] = l.split(/\s+/);
    if (pos === undefined || size === undefined || st === undefined) throw new Error(`a ddrescue mapfile line that is not "pos size status": ${l}`);
    const [offset, n] = [Number(pos), Number(size)];
    bytes = Math.max(bytes, offset + n);
    if (st !== '+') unreadable.push({ offset, bytes: n });
  }
  return { status, unreadable, bytes };
}

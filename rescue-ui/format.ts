// Words for the screens beyond core/format.ts (sizes and durations): rates and text cut to a width.
import { bytes } from '../core/format.js';

export function rate(bytesPerSecond: number | undefined): string {
  // partclone reports 0 until it has measured something: that is "not known yet", not a stall.
  return bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0 ? '-' : `${bytes(bytesPerSecond)}/s`;
}

/** Cuts text to width columns, ending with `more` when cut. */
export function fit(text: string, width: number, more = '...'): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - more.length))}${more}`;
}

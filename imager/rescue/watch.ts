// Follows partclone's --rescue output for one partition: every unreadable sector, and (default mode) when the first
// unreadable range is complete, so the backup stops there and names it.
import type { PartcloneEvent } from '../parse/partclone.js';
import { addSector, type ByteRange } from './ranges.js';

/**
 * partclone --rescue reads a chunk that failed again sector by sector in its main thread, printing a warning per
 * unreadable sector, and counts the chunk as copied only afterwards; its progress thread prints that count. So once
 * a progress line shows more copied than before the first warning, every warning of that chunk is out. The first
 * range is complete then, at a warning for a sector not adjacent to it, or when partclone ends.
 */
export class UnreadableWatch {
  private ranges: ByteRange[] = [];
  private percent: number | undefined;
  /** The copied percent when the first warning came (undefined: no progress line yet, the next one sets it). */
  private baseline: number | undefined;
  private closed = false;
  private badSectors = false;

  /** stopAtFirst: the default mode, where the first complete range ends the backup. */
  constructor(private readonly stopAtFirst: boolean) {}

  /** Feeds one event; true once the first range is complete and the watch stops at the first. */
  feed(e: PartcloneEvent): boolean {
    if (this.closed) return true;
    if (e.kind === 'bad-sectors') this.badSectors = true;
    if (e.kind === 'unreadable') {
      const first = this.ranges[0];
      // A sector apart from the first range: that range is complete.
      if (this.stopAtFirst && first && (e.offset < first.offset || e.offset > first.offset + first.bytes)) return this.close();
      if (!first) this.baseline = this.percent;
      this.ranges = addSector(this.ranges, e.offset);
      return false;
    }
    if (e.kind === 'progress') {
      this.percent = e.percent;
      if (this.ranges.length === 0) return false;
      if (this.baseline === undefined) {
        this.baseline = e.percent;
        return false;
      }
      if (this.stopAtFirst && e.percent > this.baseline) return this.close();
    }
    return false;
  }

  private close(): boolean {
    this.closed = true;
    return true;
  }

  /** partclone stopped at a read error without the rescue flag (partclone.dd): it named no sector. */
  sawBadSectors(): boolean {
    return this.badSectors;
  }

  /** The unreadable ranges seen (default mode: the first one only, once it is complete). */
  found(): ByteRange[] {
    return this.ranges.map((r) => ({ ...r }));
  }
}

// Unreadable ranges of a partition: sectors merged into byte ranges, placed on the disk, and put in words.

/** partclone --rescue reads a failing chunk again in sectors of this size (partclone.h PART_SECTOR_SIZE). */
export const rescueSectorBytes = 512;

/** Bytes of a partition that could not be read: offset from the partition's start, and length. */
export interface ByteRange {
  offset: number;
  bytes: number;
}

/** A range as the manifest records it: in the partition (bytes) and on the disk (sectors of the table's size). */
export interface UnreadableRange extends ByteRange {
  /** The first disk sector (LBA) of the range, in the disk's logical sectors. */
  firstSector: number;
  /** How many disk sectors it spans. */
  sectors: number;
}

/** The ranges sorted, with overlapping or touching ones joined. */
export function mergeRanges(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = [...ranges].filter((r) => r.bytes > 0).sort((a, b) => a.offset - b.offset);
  const out: ByteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.offset <= last.offset + last.bytes) last.bytes = Math.max(last.bytes, r.offset + r.bytes - last.offset);
    else out.push({ ...r });
  }
  return out;
}

/** Adds one unreadable sector (partclone's report) to the ranges, joining it to a neighbour. */
export function addSector(ranges: readonly ByteRange[], offset: number, bytes = rescueSectorBytes): ByteRange[] {
  return mergeRanges([...ranges, { offset, bytes }]);
}

/** Places a partition's range on the disk: its partition starts at `partitionStart` (LBA), sectors of `sectorSize` bytes. */
export function onDisk(r: ByteRange, partitionStart: number, sectorSize: number): UnreadableRange {
  const first = Math.floor(r.offset / sectorSize);
  const end = Math.ceil((r.offset + r.bytes) / sectorSize);
  return { offset: r.offset, bytes: r.bytes, firstSector: partitionStart + first, sectors: end - first };
}

/** "sectors 10240-10271 of the disk (16 KiB at byte 4194304 of the partition)". */
export function rangeText(r: UnreadableRange): string {
  const last = r.firstSector + r.sectors - 1;
  return `sector${r.sectors > 1 ? `s ${r.firstSector}-${last}` : ` ${r.firstSector}`} of the disk (${r.bytes} bytes at byte ${r.offset} of the partition)`;
}

/** The filesystem blocks (of blockBytes) that the ranges touch, in order, at most `limit` of them. */
export function blocksOf(ranges: readonly ByteRange[], blockBytes: number, limit: number): { blocks: number[]; truncated: boolean } {
  const blocks: number[] = [];
  for (const r of mergeRanges(ranges)) {
    const first = Math.floor(r.offset / blockBytes);
    const last = Math.floor((r.offset + r.bytes - 1) / blockBytes);
    for (let b = first; b <= last; b++) {
      if (blocks[blocks.length - 1] === b) continue;
      if (blocks.length >= limit) return { blocks, truncated: true };
      blocks.push(b);
    }
  }
  return { blocks, truncated: false };
}

/** Total bytes of the ranges. */
export function rangeBytes(ranges: readonly ByteRange[]): number {
  return ranges.reduce((n, r) => n + r.bytes, 0);
}

// What a backup does with read errors on one partition: partclone's rescue flag, the error that stops a default
// backup at the first unreadable range, and the manifest's record of a rescued partition (ranges and files hit).
import { UnreadableSectorsError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { fsRecord } from '../fs/registry.js';
import type { Manifest, ManifestUnreadable } from '../image/manifest.js';
import { warning, type Warning } from '../plan/refusals.js';
import { mergeRanges, onDisk, rangeBytes, rangeText, type ByteRange } from './ranges.js';

/** The retry policy, as the plan states it and the manifest records it. */
export const rescuePolicy =
  "read errors: go on past them (--rescue): partclone reads a chunk that failed again sector by sector, once, with no further retries; each unreadable sector is written as partclone's BADSECTOR filler and recorded in the manifest";
export const stopPolicy = 'read errors: the backup stops at the first unreadable range and names it (--rescue goes on past them)';

/** partclone's argv with its rescue flag: Lifeboat always passes it, to learn where the sectors are (partclone names none without it). */
export function withRescueFlag(argv: string[]): string[] {
  const [tool, ...rest] = argv;
  return [tool!, '-R', ...rest];
}

export interface PartitionPlace {
  /** The partition's kernel name (sda2) and device. */
  name: string;
  device: string;
  /** Its start (LBA) and the disk's logical sector size. */
  start: number;
  sectorSize: number;
  fsType: string | undefined;
}

/** The default backup's stop: one line naming the partition and its first unreadable range. */
export function unreadableError(p: PartitionPlace, first: ByteRange | undefined): UnreadableSectorsError {
  const where = first ? `the first unreadable range is ${rangeText(onDisk(first, p.start, p.sectorSize))}` : 'partclone names no sector in a raw copy';
  return new UnreadableSectorsError(
    p.name,
    `${p.device} has unreadable sectors: ${where}; the backup stopped and left no image`,
    '--rescue copies everything readable and records the unreadable ranges in the image',
  );
}

/** The manifest's record of a rescued partition: its ranges on the disk and, where the filesystem tells, the files hit. */
export async function recordUnreadable(runner: Runner, p: PartitionPlace, found: readonly ByteRange[], blockBytes: number | undefined): Promise<ManifestUnreadable> {
  const ranges = mergeRanges(found);
  const base = { ranges: ranges.map((r) => onDisk(r, p.start, p.sectorSize)), bytes: rangeBytes(ranges) };
  const probe = fsRecord(p.fsType).filesAt;
  if (!probe) return { ...base, filesKnown: false, note: `Lifeboat cannot tell which files of ${p.fsType ?? 'an unknown filesystem'} lie in these sectors` };
  if (!blockBytes) return { ...base, filesKnown: false, note: 'partclone did not report the block size; the files are not known' };
  try {
    const at = await probe(runner, p.device, ranges, blockBytes);
    const notes = [
      ...(at.unownedBlocks > 0 ? [`${at.unownedBlocks} block${at.unownedBlocks > 1 ? 's' : ''} of no file (free space or filesystem metadata)`] : []),
      ...(at.truncated ? ['only the first blocks were looked up'] : []),
    ];
    return { ...base, filesKnown: true, files: at.files, ...(notes.length ? { note: notes.join('; ') } : {}) };
  } catch (e) {
    return { ...base, filesKnown: false, note: `the files could not be looked up: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** The unreadable parts of an image in words, one line per partition (info, verify, restore, the backup's result). */
export function unreadableLines(partitions: readonly { name: string; unreadable?: ManifestUnreadable | undefined }[]): string[] {
  return partitions.flatMap((p) => {
    const u = p.unreadable;
    if (!u) return [];
    const ranges = u.ranges.map((r) => (r.sectors > 1 ? `${r.firstSector}-${r.firstSector + r.sectors - 1}` : `${r.firstSector}`)).join(', ');
    const files = u.filesKnown ? (u.files && u.files.length > 0 ? `files affected: ${u.files.join(', ')}` : 'no file affected') : 'affected files unknown';
    return [`${p.name}: ${u.bytes} bytes unreadable in ${u.ranges.length} range${u.ranges.length > 1 ? 's' : ''} (disk sectors ${ranges}); ${files}${u.note ? ` (${u.note})` : ''}`];
  });
}

/** The restore plans' note for an image with unreadable sectors (the confirmation shows it; a "no" repeats it). */
export function unreadableWarning(manifest: Manifest | undefined, only?: string): Warning[] {
  if (manifest?.state !== 'complete-with-unreadable-sectors') return [];
  const lines = unreadableLines(manifest.partitions.filter((p) => only === undefined || p.name === only));
  if (lines.length === 0) return [];
  return [warning('unreadable-sectors', `the image is complete, with unreadable sectors: ${lines.join('; ')}; those sectors are written as partclone's BADSECTOR filler`, 'restore asks before it writes such an image (--yes answers yes)')];
}

/** What a refused confirmation adds when the image has unreadable sectors: why it was asked. */
export function notConfirmedNote(warnings: readonly Warning[]): string {
  const w = warnings.find((x) => x.code === 'unreadable-sectors');
  return w ? ` (${w.message})` : '';
}

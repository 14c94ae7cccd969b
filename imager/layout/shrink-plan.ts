// Plans a layout for a smaller disk (pure): which partitions keep their size, which shrink and to what, or why not.
//
// The rule, in order:
// 1. Partitions of fixed purpose keep their size: EFI system, BIOS boot, Microsoft reserved, recovery partitions up
//    to 2 GiB, and every partition whose filesystem Lifeboat cannot shrink (FAT, raw copies, LUKS, LVM, unknown) or
//    whose used bytes the image does not record.
// 2. Every other partition (ext2/3/4, xfs, btrfs, ntfs, swap) has a least size: its used bytes plus a margin of 10%
//    and at least 64 MiB, never below its filesystem's floor (XFS 300 MiB) nor above its old size; swap's least size
//    is 64 MiB (or its old size when smaller).
// 3. The space left on the target after the fixed partitions and the least sizes is shared among the partitions of
//    rule 2 in proportion to the free room each had (old size - least size): each keeps the same fraction of it.
// 4. Partitions keep their order; the first keeps its start; each next starts on the next 1 MiB boundary (a logical
//    partition 1 MiB after the previous one, room for its boot record); sizes are whole MiB; a GPT disk keeps 33
//    sectors at its end for the backup header and entries.
// A target smaller than the fixed partitions plus the least sizes is refused with both numbers.
// Sizes a person chose (`--layout FILE`, layout-file.ts) replace rule 3 for their partitions: a partition that shrinks
// or swap takes exactly the size given (whole MiB, at least its least size, at most its old size), and only the others
// share what is left; a fixed partition can only be given its own size.
import { isExtended } from '../parse/sfdisk.js';
import type { LayoutPartition, LayoutTable } from './model.js';

const MiB = 1024 * 1024;
/** Sectors the GPT's backup entries and header take at the end of the disk. */
const gptTailSectors = 33;
const marginFraction = 0.1;
const marginMinBytes = 64 * MiB;
const swapLeastBytes = 64 * MiB;
const recoveryFixedMaxBytes = 2 * 1024 * MiB;

/** Partition types that keep their size whatever the target: boot and firmware partitions, Windows' reserved. */
const fixedTypes = new Set([
  'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', // EFI system
  '21686148-6449-6E6F-744E-656564454649', // BIOS boot
  'E3C9E316-0B5C-4DB8-817D-F92DF00215AE', // Microsoft reserved
  'EF', // MBR: EFI system
]);
/** Recovery partitions: fixed up to recoveryFixedMaxBytes. */
const recoveryTypes = new Set([
  'DE94BBA4-06D1-4D40-A16A-BFD50179D6AC', // Windows recovery environment
  'BFBFAFE7-A34F-448A-9A5B-6213EB736C22', // Lenovo boot / recovery
  '27', // MBR: hidden NTFS recovery
]);

/** What the planner knows of one partition's content (from the image's manifest). */
export interface ShrinkPartFacts {
  number: number;
  fsType: string | undefined;
  /** Used bytes of its filesystem as the backup measured them; undefined: unknown, the partition keeps its size. */
  usedBytes: number | undefined;
}

export interface ShrinkInput {
  table: LayoutTable;
  targetBytes: number;
  parts: readonly ShrinkPartFacts[];
  /** Filesystem types that can be made smaller (the registry's types with a shrink entry), with their least size. */
  shrinkable: ReadonlyMap<string, { floorBytes: number }>;
  /** Sizes in bytes a person chose, by partition number (rounded up to whole MiB). */
  sizes?: ReadonlyMap<number, number>;
}

export type PartRole = 'fixed' | 'shrinks' | 'swap' | 'extended';

export interface PlannedPartition {
  number: number;
  role: PartRole;
  /** Why it keeps its size, for a fixed one. */
  reason?: string;
  fsType: string | undefined;
  oldStart: number;
  oldSize: number;
  start: number;
  size: number;
  /** The least size the rule allowed, in sectors. */
  leastSize: number;
  /** Its size was given by a person (ShrinkInput.sizes). */
  chosen?: boolean;
}

export type ShrinkPlan =
  | { ok: true; partitions: PlannedPartition[]; neededBytes: number; availableBytes: number }
  | { ok: false; neededBytes: number; availableBytes: number; partitions: PlannedPartition[]; /** Sizes given that the rule cannot take, one line each. */ problems?: string[] };

const upper = (s: string) => s.toUpperCase();

/** Rule 2: the least size of a filesystem that shrinks, in bytes: its used bytes plus the margin, at least its floor. */
export function leastBytes(usedBytes: number, floorBytes: number): number {
  return Math.max(usedBytes + Math.max(usedBytes * marginFraction, marginMinBytes), floorBytes);
}

function fixedReason(p: LayoutPartition, facts: ShrinkPartFacts | undefined, input: ShrinkInput, sectorSize: number): string | undefined {
  const type = upper(p.type);
  if (fixedTypes.has(type)) return 'boot or firmware partition';
  if (recoveryTypes.has(type) && p.size * sectorSize <= recoveryFixedMaxBytes) return 'recovery partition';
  const fs = facts?.fsType;
  if (fs === 'swap') return undefined;
  if (!fs || !input.shrinkable.has(fs)) return `${fs ?? 'unknown content'} is not shrunk`;
  if (facts?.usedBytes === undefined) return 'used bytes not recorded';
  return undefined;
}

/**
 * The new layout for input.targetBytes, following the rule above. Sizes are in sectors of the table's sector size.
 * `ok: false` when even the least sizes do not fit; neededBytes is then the smallest target that would do.
 */
export function planShrink(input: ShrinkInput): ShrinkPlan {
  const { table } = input;
  const ss = table.sectorSize;
  const grain = Math.max(1, MiB / ss);
  const up = (n: number) => Math.ceil(n / grain) * grain;
  const down = (n: number) => Math.floor(n / grain) * grain;
  const facts = new Map(input.parts.map((f) => [f.number, f]));
  const tail = table.type === 'gpt' ? gptTailSectors : 0;
  const targetSectors = Math.floor(input.targetBytes / ss);

  const byStart = [...table.partitions].sort((a, b) => a.start - b.start);
  const extended = byStart.find((p) => isExtended(table, p));
  const inExtended = (p: LayoutPartition) => extended !== undefined && p !== extended && p.start >= extended.start && p.start < extended.start + extended.size;

  const planned: PlannedPartition[] = byStart.map((p) => {
    const f = facts.get(p.number);
    const base = { number: p.number, fsType: f?.fsType, oldStart: p.start, oldSize: p.size, start: p.start, size: p.size };
    if (p === extended) return { ...base, role: 'extended', leastSize: 0 };
    const reason = fixedReason(p, f, input, ss);
    if (reason !== undefined) return { ...base, role: 'fixed', reason, leastSize: p.size };
    if (f?.fsType === 'swap') return { ...base, role: 'swap', leastSize: Math.min(p.size, up(swapLeastBytes / ss)) };
    const least = leastBytes(f!.usedBytes!, input.shrinkable.get(f!.fsType!)!.floorBytes);
    return { ...base, role: 'shrinks', leastSize: Math.min(p.size, up(least / ss)) };
  });

  const problems = chosenSizes(planned, input, up);
  if (problems.length > 0) return { ok: false, neededBytes: 0, availableBytes: targetSectors * ss, partitions: planned, problems };

  /** Places every partition with the given sizes; returns the end (exclusive) of the last one. */
  const place = (size: (p: PlannedPartition) => number): number => {
    let cursor = 0;
    let extEnd = 0;
    let first = true;
    for (const p of planned) {
      const orig = table.partitions.find((q) => q.number === p.number)!;
      if (p.role === 'extended') {
        p.start = first ? p.oldStart : up(cursor);
        cursor = p.start;
        extEnd = p.start;
        first = false;
        continue;
      }
      const logical = inExtended(orig);
      // A logical partition leaves room for its boot record: it starts a grain after the previous one's end.
      p.start = first ? p.oldStart : logical ? up(cursor + 1) : up(cursor);
      p.size = size(p);
      cursor = p.start + p.size;
      if (logical) extEnd = cursor;
      first = false;
    }
    const ext = planned.find((p) => p.role === 'extended');
    if (ext) ext.size = Math.max(grain, extEnd - ext.start);
    return cursor;
  };

  const leastEnd = place((p) => p.leastSize);
  const neededBytes = (leastEnd + tail) * ss;
  const availableBytes = targetSectors * ss;
  if (leastEnd + tail > targetSectors) return { ok: false, neededBytes, availableBytes, partitions: planned };

  const flexible = planned.filter((p) => p.role === 'shrinks' || p.role === 'swap');
  const room = (p: PlannedPartition) => (p.chosen ? 0 : Math.max(0, p.oldSize - p.leastSize));
  const totalRoom = flexible.reduce((n, p) => n + room(p), 0);
  const spare = down(Math.max(0, targetSectors - tail - leastEnd));
  const share = Math.min(1, totalRoom > 0 ? spare / totalRoom : 0);
  const extra = new Map(flexible.map((p) => [p.number, Math.min(room(p), down(room(p) * share))]));
  // Whole grains lost to rounding go to the partition with the most room, as long as it has room for them.
  let left = spare - [...extra.values()].reduce((a, b) => a + b, 0);
  for (const p of [...flexible].sort((a, b) => room(b) - room(a))) {
    const add = Math.min(left, down(room(p) - extra.get(p.number)!));
    extra.set(p.number, extra.get(p.number)! + add);
    left -= add;
  }
  place((p) => p.leastSize + (extra.get(p.number) ?? 0));
  return { ok: true, partitions: planned, neededBytes, availableBytes };
}

const mib = (sectors: number, ss: number) => `${Math.round((sectors * ss) / MiB)} MiB`;

/** Applies input.sizes to the planned partitions (their leastSize becomes the size chosen); the problems, one line each. */
function chosenSizes(planned: PlannedPartition[], input: ShrinkInput, up: (n: number) => number): string[] {
  const ss = input.table.sectorSize;
  const problems: string[] = [];
  for (const [number, bytes] of input.sizes ?? []) {
    const p = planned.find((q) => q.number === number);
    if (!p) {
      problems.push(`partition ${number}: the image has no such partition (it has ${planned.map((q) => q.number).join(', ')})`);
      continue;
    }
    const want = up(Math.ceil(bytes / ss));
    if (p.role === 'extended') problems.push(`partition ${number} is the extended partition: its size follows its logical partitions`);
    else if (p.role === 'fixed') {
      if (want !== up(p.oldSize)) problems.push(`partition ${number} keeps its size of ${mib(p.oldSize, ss)} (${p.reason})`);
    } else if (want < p.leastSize) problems.push(`partition ${number}: ${mib(want, ss)} is less than it needs, ${mib(p.leastSize, ss)} (its used data and margin)`);
    else if (want > up(p.oldSize)) problems.push(`partition ${number}: ${mib(want, ss)} is more than its ${mib(p.oldSize, ss)} in the image; a smaller layout does not grow a partition`);
    else {
      p.leastSize = Math.min(want, p.oldSize);
      p.chosen = true;
    }
  }
  return problems;
}

/** Each partition's planned start and size by number: the sfdisk script's 'planned' size policy. */
export function placementOf(plan: { partitions: readonly PlannedPartition[] }): Map<number, { start: number; size: number }> {
  return new Map(plan.partitions.map((p) => [p.number, { start: p.start, size: p.size }]));
}

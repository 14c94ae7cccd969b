// The restore plan's part for a smaller target (pure): the new layout, the way each filesystem shrinks, where it is staged.
import { bytes } from '../../core/format.js';
import { fsRecord, shrinkableTypes } from '../fs/registry.js';
import type { Image } from '../image/open.js';
import type { LayoutTable } from '../layout/model.js';
import { planShrink, type PlannedPartition, type ShrinkPartFacts } from '../layout/shrink-plan.js';
import { refusal, type Refusal } from '../plan/refusals.js';

/** A place for staging copies, measured by the facts gatherer: the store's filesystem or the temporary directory. */
export interface StagingSpace {
  dir: string;
  where: 'store' | 'tmp';
  freeBytes: number;
}

export interface ShrinkLayout {
  partitions: PlannedPartition[];
  /** The largest staging copy (they are made one after another) and where it goes; undefined when none is needed. */
  staging: { dir: string; where: StagingSpace['where']; neededBytes: number; freeBytes: number } | undefined;
  /** The new layout in words: one line per partition, old size -> new size, and the way. */
  lines: string[];
}

const MiB = 1024 * 1024;

/** What a staging copy of a partition takes: partclone writes its used blocks into a sparse file, and resizing moves blocks (worst case: all of them once more). */
export function stagingBytesFor(usedBytes: number): number {
  return 2 * usedBytes + 64 * MiB;
}

/** Whether a planned partition's filesystem is shrunk through a staging copy (its image restored, then the registry's shrinker). */
export function isStaged(p: PlannedPartition): boolean {
  return p.role === 'shrinks' && p.size < p.oldSize && fsRecord(p.fsType).shrink !== undefined;
}

/** The new layout for image on a target of targetBytes, or the refusals that say why not. */
export function planShrinkLayout(
  image: Image,
  device: string,
  targetBytes: number,
  staging: readonly StagingSpace[],
  /** Used bytes per partition (restore/used-bytes.ts: the manifest's, or the partclone header's); default: the manifest's. */
  usedBytes?: ReadonlyMap<number, number>,
  /** Sizes a person chose (layout/layout-file.ts), bytes by partition number. */
  sizes?: ReadonlyMap<number, number>,
): { layout?: ShrinkLayout; refusals: Refusal[] } {
  const table = image.layout.table;
  if (!table) return { refusals: [refusal('too-small', `${device} is too small and the image has no partition table to plan a smaller one from`)] };
  const used = usedBytes ?? new Map((image.manifest?.partitions ?? []).map((p) => [p.number, p.usedBytes]));
  const parts = image.partitions.map((p) => ({ number: p.number, fsType: p.fsType, usedBytes: p.action === 'partclone' ? used.get(p.number) : undefined }));
  const name = (n: number) => image.partitions.find((p) => p.number === n)?.name ?? String(n);
  return planShrinkLayoutOf({ table, parts, name, device, targetBytes, staging, hint: 'restore onto a disk at least that large', ...(sizes ? { sizes } : {}) });
}

/** The same for any source of a table and its partitions' used bytes (an image's manifest, or a probed source disk). */
export function planShrinkLayoutOf(input: {
  table: LayoutTable;
  parts: ShrinkPartFacts[];
  name: (n: number) => string;
  device: string;
  targetBytes: number;
  staging: readonly StagingSpace[];
  hint: string;
  sizes?: ReadonlyMap<number, number>;
}): { layout?: ShrinkLayout; refusals: Refusal[] } {
  const { table, parts, name, device, targetBytes, staging } = input;
  const used = new Map(parts.map((p) => [p.number, p.usedBytes]));
  const plan = planShrink({ table, targetBytes, parts, shrinkable: shrinkableTypes(), ...(input.sizes ? { sizes: input.sizes } : {}) });
  const ss = table.sectorSize;
  if (!plan.ok && plan.problems) return { refusals: plan.problems.map((text) => refusal('layout-size', text, 'change the size in the layout file, or leave the partition out to size it by the rule')) };
  if (!plan.ok)
    return {
      refusals: [
        refusal(
          'too-small-for-data',
          `${device} is too small for the data: the partitions need ${plan.neededBytes} bytes (${bytes(plan.neededBytes)}) with their used data and margins, ${device} has ${plan.availableBytes} bytes (${bytes(plan.availableBytes)})`,
          input.hint,
        ),
      ],
    };
  const refusals: Refusal[] = [];
  const staged = plan.partitions.filter(isStaged);
  const needed = Math.max(0, ...staged.map((p) => stagingBytesFor(used.get(p.number) ?? p.oldSize * ss)));
  const place = staged.length > 0 ? staging.find((s) => s.freeBytes >= needed) : undefined;
  if (staged.length > 0 && !place)
    refusals.push(
      refusal(
        'no-staging-space',
        `shrinking needs ${needed} bytes (${bytes(needed)}) of staging space; ${staging.map((s) => `${s.dir} has ${bytes(s.freeBytes)} free`).join(', ') || 'no writable place was found'}`,
        'free space on the store, or set TMPDIR to a larger filesystem',
      ),
    );
  const lines = plan.partitions.map((p) => {
    const sizes = `${bytes(p.oldSize * ss)} -> ${bytes(p.size * ss)}`;
    const what = `${name(p.number)} (${p.fsType ?? (p.role === 'extended' ? 'extended' : 'unknown')})`;
    const how =
      p.role === 'extended'
        ? 'holds the logical partitions'
        : p.role === 'fixed'
          ? `keeps its size: ${p.reason}`
          : p.role === 'swap'
            ? 'made again by mkswap with its UUID and label'
            : isStaged(p)
              ? fsRecord(p.fsType).shrink!.describe
              : 'keeps its size';
    return `${what}: ${sizes}${p.chosen ? ' (size from the layout file)' : ''}, ${how}`;
  });
  return {
    layout: {
      partitions: plan.partitions,
      staging: place ? { dir: place.dir, where: place.where, neededBytes: needed, freeBytes: place.freeBytes } : undefined,
      lines,
    },
    refusals,
  };
}

/** The plan's words for a new layout: every partition's old size -> new size and way, and the staging space. */
export function describeShrinkLayout(shrink: ShrinkLayout): string[] {
  const lines = ['  New layout (old size -> new size):', ...shrink.lines.map((l) => `    ${l}`)];
  const st = shrink.staging;
  if (st) lines.push(`  Staging: up to ${bytes(st.neededBytes)} of sparse files in ${st.dir} (${st.where === 'store' ? "the store's filesystem" : 'the temporary directory'}, ${bytes(st.freeBytes)} free), removed afterwards`);
  return lines;
}

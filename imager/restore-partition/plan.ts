// Plans the restore of one partition of an image onto an existing partition of a disk (Clonezilla's restoreparts),
// without touching anything: the steps in words, and every reason to refuse the target partition.
import type { Disk, Partition } from '../disks/probe.js';
import { bytes } from '../../core/format.js';
import { canGrow, fsRecord } from '../fs/registry.js';
import { leastBytes } from '../layout/shrink-plan.js';
import { stagingBytesFor, type StagingSpace } from '../restore/shrink-layout.js';
import type { Image, ImagePartition } from '../image/open.js';
import { refusal, warning, warningText, type Refusal, type Warning } from '../plan/refusals.js';
import { unreadableWarning } from '../rescue/partition.js';

export type PartitionRestoreStep =
  | { kind: 'partition'; text: string; part: ImagePartition; target: string }
  | { kind: 'swap'; text: string; part: ImagePartition; target: string }
  | { kind: 'grow'; text: string; target: string; fsType: string }
  /** Onto a smaller partition: the image into a staging file in stagingDir, shrunk by the registry's way, put on target. */
  | { kind: 'shrink'; text: string; part: ImagePartition; target: string; fsType: string; oldBytes: number; newBytes: number; stagingDir: string };

export interface PartitionRestorePlan {
  image: Image;
  /** The image's partition that is restored. */
  source: ImagePartition;
  disk: Disk;
  /** The target disk's partition that is overwritten (nothing else of the disk is written). */
  target: Partition;
  /** Bytes the target partition must hold: the filesystem's own size, or the source partition's when unknown. */
  neededBytes: number;
  steps: PartitionRestoreStep[];
  refusals: Refusal[];
  warnings: Warning[];
}

export interface PartitionRestoreFacts {
  image: Image;
  source: ImagePartition;
  disk: Disk;
  target: Partition;
  /** The filesystem's size from its partclone image header, when the image has one Lifeboat reads. */
  fsBytes: number | undefined;
  /** Bytes the filesystem uses (manifest, or the header's used blocks), when known. */
  usedBytes: number | undefined;
  /** Whether the image directory lives on the target partition itself. */
  imageOnTarget: boolean;
  /** Places for a staging copy (the store's filesystem, the temporary directory), when the target is smaller. */
  staging?: readonly StagingSpace[];
}

/** Bytes of the image's partition in its table (what a raw image is, and the fallback for a filesystem's size). */
export function sourcePartitionBytes(image: Image, number: number): number {
  const p = image.table.partitions.find((q) => q.number === number);
  return (p?.size ?? 0) * image.table.sectorSize;
}

export function planPartitionRestore(facts: PartitionRestoreFacts): PartitionRestorePlan {
  const { image, source, disk, target } = facts;
  const refusals: Refusal[] = [];
  const warnings: Warning[] = [];
  const where = [...target.mountpoints.map((m) => `${target.device} on ${m}`), ...(target.swapActive ? [`${target.device} is active swap`] : [])];
  if (where.length > 0) refusals.push(refusal('in-use', `${target.device} is in use (${where.join(', ')}); unmount it first`));
  else if (disk.inUse && !disk.partitions.some((p) => p.mountpoints.length > 0 || p.swapActive))
    refusals.push(refusal('in-use', `${disk.device} is in use (mounted as a whole); unmount it first`));
  if (facts.imageOnTarget) refusals.push(refusal('holds-image', `${target.device} holds the image itself; restoring onto it would destroy the image`));
  if (disk.liveMedium) refusals.push(refusal('live-medium', `${disk.device} is the medium the live system booted from`));
  if (disk.readOnly) refusals.push(refusal('read-only', `${disk.device} is read-only`));
  // Raw data and swap are the whole source partition; a filesystem needs its own size, which may be less.
  const raw = source.action !== 'partclone';
  const neededBytes = raw ? sourcePartitionBytes(image, source.number) : (facts.fsBytes ?? sourcePartitionBytes(image, source.number));
  const targetBytes = target.sizeBytes;
  const fsType = source.fsType;
  const shrinker = !raw && fsType ? fsRecord(fsType).shrink : undefined;
  let shrinkInto: StagingSpace | undefined;
  if (targetBytes < neededBytes && source.action !== 'swap') {
    // A smaller partition: the filesystem is shrunk through a staging copy when its used data and margin fit.
    const least = shrinker && facts.usedBytes !== undefined ? leastBytes(facts.usedBytes, shrinker.floorBytes) : undefined;
    if (least !== undefined && least <= targetBytes) {
      const staging = stagingBytesFor(facts.usedBytes!);
      shrinkInto = (facts.staging ?? []).find((s) => s.freeBytes >= staging);
      if (!shrinkInto)
        refusals.push(
          refusal(
            'no-staging-space',
            `shrinking ${source.name} needs ${staging} bytes (${bytes(staging)}) of staging space; ${(facts.staging ?? []).map((s) => `${s.dir} has ${bytes(s.freeBytes)} free`).join(', ') || 'no writable place was found'}`,
            'free space on the store, or set TMPDIR to a larger filesystem',
          ),
        );
    } else if (least !== undefined)
      refusals.push(
        refusal('too-small-for-data', `${target.device} is too small for the data of ${source.name}: it needs ${least} bytes (${bytes(least)}: ${bytes(facts.usedBytes!)} used and the margin), ${target.device} has ${targetBytes} bytes (${bytes(targetBytes)})`, 'choose a larger partition'),
      );
    else refusals.push(refusal('too-small', `${target.device} is too small: ${targetBytes} bytes, ${source.name} needs ${neededBytes} bytes${!raw && fsType && !shrinker ? ` (Lifeboat cannot shrink ${fsType})` : !raw && facts.usedBytes === undefined ? ' (its used bytes are unknown)' : ''}`));
  }
  const steps: PartitionRestoreStep[] = [];
  if (shrinkInto && shrinker && fsType) {
    steps.push({ kind: 'shrink', text: `restore ${source.name} (${fsType}) shrunk from ${bytes(neededBytes)} to ${bytes(targetBytes)} onto ${target.device}: ${shrinker.describe}, staged in ${shrinkInto.dir}`, part: source, target: target.device, fsType, oldBytes: sourcePartitionBytes(image, source.number), newBytes: targetBytes, stagingDir: shrinkInto.dir });
  } else if (source.action === 'swap') {
    steps.push({ kind: 'swap', text: `make swap on ${target.device} with UUID ${source.swap?.uuid ?? '(new)'} and label ${source.swap?.label ?? '(none)'}`, part: source, target: target.device });
  } else {
    steps.push({ kind: 'partition', text: `restore ${source.name} (${source.handler?.fsName}, ${source.imageBytes} bytes of image) to ${target.device}`, part: source, target: target.device });
    if (targetBytes > neededBytes && !raw && fsType) {
      if (canGrow(fsType)) steps.push({ kind: 'grow', text: `grow its ${fsType} filesystem to fill ${target.device} (${neededBytes} -> ${targetBytes} bytes)`, target: target.device, fsType });
      else warnings.push(warning('fs-cannot-grow', `${target.device} is larger than the filesystem, but Lifeboat cannot grow ${fsType}: the rest of the partition stays unused`));
    }
  }
  warnings.push(...unreadableWarning(image.manifest, source.name));
  return { image, source, disk, target, neededBytes, steps, refusals, warnings };
}

export function describePartitionRestorePlan(plan: PartitionRestorePlan): string[] {
  const lines = [
    `Restore partition ${plan.source.number} (${plan.source.name}) of ${plan.image.dir} (${plan.image.origin} image of ${plan.image.diskName}) onto ${plan.target.device} (${plan.target.sizeBytes} bytes); nothing else on ${plan.disk.device} is written`,
  ];
  for (const s of plan.steps) lines.push(`  - ${s.text}`);
  for (const w of plan.warnings) lines.push(`  note: ${warningText(w)}`);
  for (const r of plan.refusals) lines.push(`  REFUSED: ${r.message}`);
  return lines;
}

// Plans the restore of one partition of an image onto an existing partition of a disk (Clonezilla's restoreparts),
// without touching anything: the steps in words, and every reason to refuse the target partition.
import type { Disk, Partition } from '../disks/probe.js';
import { canGrow } from '../fs/registry.js';
import type { Image, ImagePartition } from '../image/open.js';
import { refusal, warning, warningText, type Refusal, type Warning } from '../plan/refusals.js';
import { unreadableWarning } from '../rescue/partition.js';

export type PartitionRestoreStep =
  | { kind: 'partition'; text: string; part: ImagePartition; target: string }
  | { kind: 'swap'; text: string; part: ImagePartition; target: string }
  | { kind: 'grow'; text: string; target: string; fsType: string };

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
  if (targetBytes < neededBytes && source.action !== 'swap') {
    // Shrinking the filesystem onto a smaller partition is the smaller-disk planner's (the registry's shrink entries).
    if (!raw && facts.usedBytes !== undefined && facts.usedBytes < targetBytes)
      refusals.push(
        refusal('needs-shrink', `${target.device} is smaller than the filesystem of ${source.name}: ${targetBytes} bytes, the filesystem is ${neededBytes} bytes (${facts.usedBytes} used); shrinking a filesystem onto a smaller partition is not supported yet`, 'choose a partition at least as large as the filesystem'),
      );
    else refusals.push(refusal('too-small', `${target.device} is too small: ${targetBytes} bytes, ${source.name} needs ${neededBytes} bytes`));
  }
  const steps: PartitionRestoreStep[] = [];
  const fsType = source.fsType;
  if (source.action === 'swap') {
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

// Plans a restore without touching anything: the steps in words, and every reason to refuse the target.
import type { Disk } from '../disks/probe.js';
import { partitionPath } from '../disks/names.js';
import { canGrow } from '../fs/registry.js';
import type { Image, ImagePartition } from '../image/open.js';
import { refusal, warning, warningText, type Refusal, type Warning } from '../plan/refusals.js';
import { unreadableWarning } from '../rescue/partition.js';
import { lastPartitionOf } from '../layout/sfdisk-script.js';
import { planLvmRestore, type LvmRestoreStep } from '../lvm/restore-plan.js';
import type { PvReport } from '../parse/lvm-report.js';
import { describeShrinkLayout, isStaged, planShrinkLayout, type ShrinkLayout, type StagingSpace } from './shrink-layout.js';

export type RestoreStep =
  | { kind: 'table'; text: string }
  | { kind: 'boot-code'; text: string; bytes: number }
  | { kind: 'hidden-data'; text: string }
  | { kind: 'ebr'; text: string; file: string; offset: number }
  | { kind: 'partition'; text: string; part: ImagePartition; target: string }
  | { kind: 'swap'; text: string; part: ImagePartition; target: string }
  /** A smaller partition: the image restored into a staging file in stagingDir, shrunk by the registry's way, put on target. */
  | { kind: 'shrink'; text: string; part: ImagePartition; target: string; fsType: string; oldBytes: number; newBytes: number; stagingDir: string }
  | { kind: 'grow'; text: string; number: number; target: string; fsType: string | undefined; extended: number | undefined }
  /** LVM (lvm/restore-plan.ts): PVs made again with their UUIDs, VG metadata restored and activated, deactivated at the end. */
  | LvmRestoreStep;

export interface RestorePlan {
  image: Image;
  target: Disk;
  bootOnly: boolean;
  grow: boolean;
  /** A smaller target with --shrink: the new layout (the table is written with it). */
  shrink?: ShrinkLayout;
  steps: RestoreStep[];
  refusals: Refusal[];
  warnings: Warning[];
}

export interface RestoreFacts {
  image: Image;
  target: Disk;
  /** Kernel name of the disk that holds the image directory. */
  imageDisk: string | undefined;
  /** A dry run: partitions of the target the kernel has no nodes for (a real restore rewrites them anyway). */
  missingPartitionNodes?: number[];
  /** Places for staging copies when partitions shrink (the store's filesystem, the temporary directory), with their free space. */
  staging?: StagingSpace[];
  /** Used bytes per partition, for a smaller layout (restore/used-bytes.ts); default: the manifest's. */
  usedBytes?: ReadonlyMap<number, number>;
  /** For an image with VGs: every PV on this machine, and the VGs active on the target's own PVs. */
  lvm?: { machinePvs: PvReport[]; activeOnTarget: string[] };
}

export interface RestoreOptions {
  bootOnly: boolean;
  grow: boolean;
  /** On a smaller target: plan a smaller layout from the used data (layout/shrink-plan.ts) instead of refusing. */
  shrink?: boolean;
  /** With shrink: sizes a person chose for some partitions (layout/layout-file.ts), bytes by partition number. */
  sizes?: ReadonlyMap<number, number>;
}

/** The partition that --grow extends: the one that ends last (a logical one grows with its extended partition). */
export function lastPartition(image: Image): { number: number; extended: number | undefined } | undefined {
  return lastPartitionOf(image.table);
}

export function planRestore(facts: RestoreFacts, opts: RestoreOptions): RestorePlan {
  const { image, target } = facts;
  const refusals: Refusal[] = [];
  const warnings: Warning[] = [];
  if (target.inUse) {
    const where = target.partitions.flatMap((p) => p.mountpoints.map((m) => `${p.device} on ${m}`));
    refusals.push(refusal('in-use', `${target.device} is in use (${where.join(', ') || 'mounted or active swap'}); unmount it first`));
  }
  if (facts.imageDisk === target.name) refusals.push(refusal('holds-image', `${target.device} holds the image itself; restoring onto it would destroy the image`));
  if (target.liveMedium) refusals.push(refusal('live-medium', `${target.device} is the medium the live system booted from`));
  if (target.readOnly) refusals.push(refusal('read-only', `${target.device} is read-only`));
  if (target.logicalSectorSize !== image.table.sectorSize)
    refusals.push(refusal('sector-size', `${target.device} has ${target.logicalSectorSize}-byte sectors, the image ${image.table.sectorSize}-byte sectors`));
  const steps: RestoreStep[] = [];
  let shrink: ShrinkLayout | undefined;
  const codeBytes = opts.bootOnly ? 440 : 446;
  if (opts.bootOnly) {
    // Only the boot records: the target's table must already have the image's boot partitions where the image has them.
    if (target.tableType !== image.table.type) refusals.push(refusal('table-type', `${target.device} has a ${target.tableType} partition table, the image ${image.table.type}; restore the whole disk instead`));
    for (const n of image.bootPartitions) {
      const want = image.table.partitions.find((p) => p.number === n);
      const have = target.partitions.find((p) => p.number === n);
      if (!want || !have || have.start !== want.start || have.size !== want.size)
        refusals.push(refusal('boot-partition-mismatch', `partition ${n} of ${target.device} does not match the image's boot partition (start ${want?.start}, size ${want?.size} sectors)`));
    }
    const hidden = image.files.hiddenDataAfterMbr;
    const firstStart = Math.min(...target.partitions.map((p) => p.start));
    const hiddenSectors = image.table.type === 'dos' && hidden ? image.table.partitions.reduce((m, p) => Math.min(m, p.start), Infinity) - 1 : 0;
    if (hiddenSectors > 0 && firstStart <= hiddenSectors) refusals.push(refusal('boot-area-overlap', `the first partition of ${target.device} starts inside the image's boot area`));
  } else if (target.sizeBytes < image.requiredBytes && opts.shrink) {
    const planned = planShrinkLayout(image, target.device, target.sizeBytes, facts.staging ?? [], facts.usedBytes, opts.sizes);
    refusals.push(...planned.refusals);
    shrink = planned.layout;
  } else if (opts.sizes && opts.shrink) {
    refusals.push(refusal('layout-not-smaller', `${target.device} holds the image's layout as it is (${target.sizeBytes} bytes, the image needs ${image.requiredBytes}); a layout file sets sizes for a smaller disk only`, 'restore without --layout (--grow extends the last partition)'));
  } else if (target.sizeBytes < image.requiredBytes) {
    refusals.push(refusal('too-small', `${target.device} is too small: ${target.sizeBytes} bytes, the image needs ${image.requiredBytes} bytes`, '--shrink fits the partitions to it when their used data fits'));
  }
  const planned = new Map((shrink?.partitions ?? []).map((p) => [p.number, p]));
  if (!opts.bootOnly) steps.push({ kind: 'table', text: `write the ${image.table.type} partition table (${image.table.partitions.length} partitions${shrink ? ', with the new sizes' : ''}) to ${target.device}` });
  if (image.files.mbr) steps.push({ kind: 'boot-code', text: `write the MBR boot code (${codeBytes} bytes)`, bytes: codeBytes });
  if (image.files.hiddenDataAfterMbr) steps.push({ kind: 'hidden-data', text: 'write the hidden data between the MBR and the first partition' });
  if (!opts.bootOnly)
    for (const p of image.partitions)
      if (p.action === 'extended' && p.ebr)
        steps.push({ kind: 'ebr', text: `write the boot code of the extended partition ${p.number}'s boot record (446 bytes)`, file: p.ebr, offset: (planned.get(p.number)?.start ?? p.start) * image.table.sectorSize });
  for (const p of image.partitions) {
    if (opts.bootOnly && !image.bootPartitions.includes(p.number)) continue;
    const dev = partitionPath(target.device, p.number);
    const smaller = planned.get(p.number);
    if (smaller && isStaged(smaller) && p.action === 'partclone' && p.fsType && shrink?.staging) {
      const [oldBytes, newBytes] = [smaller.oldSize * image.table.sectorSize, smaller.size * image.table.sectorSize];
      steps.push({ kind: 'shrink', text: `restore ${p.name} (${p.fsType}) shrunk to ${newBytes} bytes onto ${dev}, staged in ${shrink.staging.dir}`, part: p, target: dev, fsType: p.fsType, oldBytes, newBytes, stagingDir: shrink.staging.dir });
    } else if ((p.action === 'partclone' || p.action === 'raw') && p.handler && p.files.length > 0)
      steps.push({ kind: 'partition', text: `restore ${p.name} (${p.handler.fsName}, ${p.imageBytes} bytes of image) to ${dev}`, part: p, target: dev });
    else if (p.action === 'swap') steps.push({ kind: 'swap', text: `make swap on ${dev} with UUID ${p.swap?.uuid ?? '(new)'} and label ${p.swap?.label ?? '(none)'}`, part: p, target: dev });
  }
  if (!opts.bootOnly && image.lvm.length > 0) {
    const lvm = planLvmRestore({ vgs: image.lvm, target, machinePvs: facts.lvm?.machinePvs ?? [], activeOnTarget: facts.lvm?.activeOnTarget ?? [] });
    refusals.push(...lvm.refusals);
    steps.push(...lvm.setup, ...lvm.data, ...lvm.finish);
  }
  if (opts.grow && !opts.bootOnly && !shrink) {
    const last = lastPartition(image);
    const part = last ? image.partitions.find((p) => p.number === last.number) : undefined;
    if (last && part) {
      const fsType = part.fsType;
      if (fsType && !canGrow(fsType)) warnings.push(warning('fs-cannot-grow', `partition ${last.number} grows, but Lifeboat cannot grow its ${fsType} filesystem`));
      steps.push({ kind: 'grow', text: `grow partition ${last.number}${fsType ? ` and its ${fsType}` : ''} to the end of ${target.device}`, number: last.number, target: partitionPath(target.device, last.number), fsType, extended: last.extended });
    }
  }
  if (!opts.bootOnly && target.sizeBytes > image.requiredBytes && !opts.grow && image.table.type === 'gpt')
    warnings.push(warning('gpt-backup-moves', 'the target is larger than the source: the GPT backup header moves to its end', '--grow would also extend the last partition'));
  const missing = facts.missingPartitionNodes ?? [];
  if (missing.length > 0)
    warnings.push(warning('partition-nodes-missing', `the kernel has no nodes for partition${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${target.device}; the restore adds them (partx -a) before it checks them`, 'this dry run changed nothing'));
  if (!opts.bootOnly) warnings.push(...unreadableWarning(image.manifest));
  return { image, target, bootOnly: opts.bootOnly, grow: opts.grow, ...(shrink ? { shrink } : {}), steps, refusals, warnings };
}

export function describeRestorePlan(plan: RestorePlan): string[] {
  const lines = [`Restore ${plan.image.dir} (${plan.image.origin} image of ${plan.image.diskName}) onto ${plan.target.device} (${plan.target.sizeBytes} bytes${plan.target.model ? `, ${plan.target.model}` : ''})${plan.bootOnly ? ': boot records only' : ''}`];
  if (plan.shrink) {
    lines.push(...describeShrinkLayout(plan.shrink));
  }
  for (const s of plan.steps) lines.push(`  - ${s.text}`);
  for (const w of plan.warnings) lines.push(`  note: ${warningText(w)}`);
  for (const r of plan.refusals) lines.push(`  REFUSED: ${r.message}`);
  return lines;
}

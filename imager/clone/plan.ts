// Plans a disk-to-disk clone (Clonezilla's device-device mode) without touching anything: the same plan as a restore
// (table from the source's layout, boot records, every partition, swap, grow) plus a check of every filesystem after.
import type { Disk, Partition } from '../disks/probe.js';
import { partitionPath } from '../disks/names.js';
import { bootCodeBytes, gptBackupSectors, hiddenDataSectors } from '../boot/records.js';
import type { FsHandler } from '../fs/partclone.js';
import type { FsIdentity } from '../fs/recreate.js';
import { canGrow, fsRecord, handlerForType } from '../fs/registry.js';
import { lastPartitionOf, type SizePolicy } from '../layout/sfdisk-script.js';
import { placementOf } from '../layout/shrink-plan.js';
import { describeShrinkLayout, isStaged, planShrinkLayoutOf, type ShrinkLayout, type StagingSpace } from '../restore/shrink-layout.js';
import { refusal, warning, warningText, type Refusal, type Warning } from '../plan/refusals.js';

export type CloneStep =
  | { kind: 'table'; text: string; policy: SizePolicy }
  | { kind: 'boot-code'; text: string; bytes: number }
  | { kind: 'hidden-data'; text: string; sectors: number }
  | { kind: 'ebr'; text: string; offset: number }
  | { kind: 'partition'; text: string; name: string; source: string; target: string; handler: FsHandler; fsType: string | undefined; bytes: number }
  /** A smaller partition: the source's used blocks into a staging file (partclone -b), the registry's shrink, then the target. */
  | { kind: 'shrink'; text: string; name: string; source: string; target: string; handler: FsHandler; fsType: string; bytes: number; oldBytes: number; newBytes: number; stagingDir: string }
  | { kind: 'swap'; text: string; target: string; id: FsIdentity }
  | { kind: 'grow'; text: string; target: string; fsType: string | undefined }
  | { kind: 'check'; text: string; target: string; fsType: string };

export interface ClonePlan {
  source: Disk;
  target: Disk;
  grow: boolean;
  /** A smaller target with --shrink: the new layout (the table is written with it). */
  shrink?: ShrinkLayout;
  /** Bytes the target must have: the end of the source's last partition (and the GPT backup after it). */
  requiredBytes: number;
  steps: CloneStep[];
  refusals: Refusal[];
  warnings: Warning[];
}

export interface CloneOptions {
  /** Extend the last partition and its filesystem to the end of a larger target (restore's --grow). */
  grow: boolean;
  /** On a smaller target: plan a smaller layout from the used data (restore --shrink's planner) instead of refusing. */
  shrink?: boolean;
}

export interface CloneFacts {
  source: Disk;
  target: Disk;
  /** Places for staging copies when partitions shrink (the temporary directory), with their free space. */
  staging?: StagingSpace[];
}

/** Bytes a target needs to hold the source's table as it is. */
export function cloneRequiredBytes(source: Disk): number {
  const t = source.table;
  if (!t) return source.sizeBytes;
  const end = Math.max(0, ...t.partitions.map((p) => p.start + p.size));
  return (end + (t.type === 'gpt' ? gptBackupSectors : 0)) * t.sectorSize;
}

/** Bytes the source's data takes: used bytes of filesystems (the whole partition where unmeasured), raw copies whole. */
function usedBytesOf(source: Disk): number {
  return source.partitions.reduce((n, p) => n + (p.extended || p.fs.type === 'swap' ? 0 : (p.usedBytes ?? p.sizeBytes)), 0);
}

/**
 * How the source's partitions are placed on the target, or why they cannot be: the same sizes, the last one grown,
 * or a refusal for a smaller target. The smaller-disk planner fills the smaller case (a shrink policy) here.
 */
export function clonePolicy(facts: CloneFacts, opts: CloneOptions): { policy: SizePolicy; shrink?: ShrinkLayout; refusals: Refusal[] } {
  const { source, target } = facts;
  const required = cloneRequiredBytes(source);
  if (target.sizeBytes >= required) return { policy: opts.grow ? { kind: 'grow-last' } : { kind: 'same-sizes' }, refusals: [] };
  const same: SizePolicy = { kind: 'same-sizes' };
  if (opts.shrink && source.layout.table) {
    const planned = planShrinkLayoutOf({
      table: source.layout.table,
      parts: source.partitions.map((p) => ({ number: p.number, fsType: p.fs.type, usedBytes: handlerForType(p.fs.type).fsName === 'dd' ? undefined : p.usedBytes })),
      name: (n) => source.partitions.find((p) => p.number === n)?.device.replace(/^\/dev\//, '') ?? String(n),
      device: target.device,
      targetBytes: target.sizeBytes,
      staging: facts.staging ?? [],
      hint: 'clone onto a disk at least that large',
    });
    if (!planned.layout) return { policy: same, refusals: planned.refusals };
    return { policy: { kind: 'planned', at: placementOf(planned.layout) }, shrink: planned.layout, refusals: planned.refusals };
  }
  const used = usedBytesOf(source);
  if (used < target.sizeBytes)
    return {
      policy: same,
      refusals: [
        refusal(
          'needs-shrink',
          `${target.device} is smaller than ${source.device}: ${target.sizeBytes} bytes, the partitions need ${required} bytes (${used} bytes used)`,
          '--shrink fits the partitions to it when their used data fits',
        ),
      ],
    };
  return { policy: same, refusals: [refusal('too-small', `${target.device} is too small: ${target.sizeBytes} bytes, ${source.device} needs ${required} bytes (${used} bytes used)`)] };
}

function copyStep(p: Partition, target: string, shrink: ShrinkLayout | undefined, ss: number): CloneStep {
  const smaller = shrink?.partitions.find((q) => q.number === p.number);
  if (smaller && isStaged(smaller) && shrink?.staging && p.fs.type) {
    const oldBytes = smaller.oldSize * ss;
    const newBytes = smaller.size * ss;
    const handler = handlerForType(p.fs.type);
    return { kind: 'shrink', text: `copy ${p.device} (${p.fs.type}) shrunk to ${newBytes} bytes onto ${target}, staged in ${shrink.staging.dir}`, name: p.device.replace(/^\/dev\//, ''), source: p.device, target, handler, fsType: p.fs.type, bytes: p.usedBytes ?? oldBytes, oldBytes, newBytes, stagingDir: shrink.staging.dir };
  }
  const handler = handlerForType(p.fs.type);
  const raw = handler.fsName === 'dd';
  const bytes = raw ? p.sizeBytes : (p.usedBytes ?? p.sizeBytes);
  const how = raw ? `raw copy, ${bytes} bytes` : `${handler.fsName} with partclone, ${bytes} bytes used`;
  return { kind: 'partition', text: `copy ${p.device} to ${target} (${how})`, name: p.device.replace(/^\/dev\//, ''), source: p.device, target, handler, fsType: p.fs.type, bytes };
}

export function planClone(facts: CloneFacts, opts: CloneOptions): ClonePlan {
  const { source, target } = facts;
  const refusals: Refusal[] = [];
  const warnings: Warning[] = [];
  const table = source.table;
  if (!table) refusals.push(refusal('no-table', `${source.device} has no partition table; Lifeboat clones partitioned disks`));
  for (const p of source.partitions) {
    if (p.mountpoints.length > 0) refusals.push(refusal('mounted', `${p.device} is mounted on ${p.mountpoints.join(', ')}; unmount it first (a copy of a mounted filesystem is not consistent)`));
    if (p.swapActive) refusals.push(refusal('swap-active', `${p.device} is active swap; run swapoff ${p.device} first`));
  }
  if (target.majMin === source.majMin) refusals.push(refusal('same-disk', `${target.device} is the source disk itself; choose another target`));
  else {
    if (target.inUse) {
      const where = target.partitions.flatMap((p) => p.mountpoints.map((m) => `${p.device} on ${m}`));
      refusals.push(refusal('in-use', `${target.device} is in use (${where.join(', ') || 'mounted or active swap'}); unmount it first`));
    }
    if (target.liveMedium) refusals.push(refusal('live-medium', `${target.device} is the medium the live system booted from`));
    if (target.readOnly) refusals.push(refusal('read-only', `${target.device} is read-only`));
    if (table && target.logicalSectorSize !== table.sectorSize)
      refusals.push(refusal('sector-size', `${target.device} has ${target.logicalSectorSize}-byte sectors, ${source.device} ${table.sectorSize}-byte sectors`));
  }
  const placed = clonePolicy(facts, opts);
  if (target.majMin !== source.majMin) refusals.push(...placed.refusals);
  const { policy, shrink } = placed;
  const steps: CloneStep[] = [];
  if (table) {
    steps.push({ kind: 'table', text: `write the ${table.type} partition table (${table.partitions.length} partitions${policy.kind === 'grow-last' ? ', the last one grown' : policy.kind === 'planned' ? ', with the new sizes' : ''}) to ${target.device}`, policy });
    steps.push({ kind: 'boot-code', text: `copy the MBR boot code (${bootCodeBytes} bytes)`, bytes: bootCodeBytes });
    const hidden = hiddenDataSectors(table);
    if (hidden > 0) steps.push({ kind: 'hidden-data', text: `copy the hidden data between the MBR and the first partition (${hidden} sectors)`, sectors: hidden });
    for (const p of source.partitions)
      if (p.extended) steps.push({ kind: 'ebr', text: `copy the boot code of the extended partition ${p.number}'s boot record (446 bytes)`, offset: p.start * table.sectorSize });
  }
  const checks: CloneStep[] = [];
  for (const p of source.partitions) {
    if (p.extended) continue;
    const dev = partitionPath(target.device, p.number);
    if (p.fs.type === 'swap') {
      steps.push({ kind: 'swap', text: `make swap on ${dev} with UUID ${p.fs.uuid ?? '(new)'} and label ${p.fs.label ?? '(none)'}`, target: dev, id: { uuid: p.fs.uuid, label: p.fs.label } });
      continue;
    }
    steps.push(copyStep(p, dev, shrink, table?.sectorSize ?? 512));
    if (p.fs.type && fsRecord(p.fs.type).check) checks.push({ kind: 'check', text: `check the ${p.fs.type} filesystem on ${dev}`, target: dev, fsType: p.fs.type });
  }
  const last = table && policy.kind === 'grow-last' ? lastPartitionOf(table) : undefined;
  const lastPart = last ? source.partitions.find((p) => p.number === last.number) : undefined;
  if (last && lastPart) {
    // Swap is made after the partition grew, at its new size (its step above comes first only in words).
    const fsType = lastPart.fs.type;
    if (fsType && !canGrow(fsType)) warnings.push(warning('fs-cannot-grow', `partition ${last.number} grows, but Lifeboat cannot grow its ${fsType} filesystem`));
    const grow: CloneStep = { kind: 'grow', text: `grow partition ${last.number}${fsType ? ` and its ${fsType}` : ''} to the end of ${target.device}`, target: partitionPath(target.device, last.number), fsType };
    const swapAt = steps.findIndex((s) => s.kind === 'swap' && s.target === grow.target);
    if (swapAt >= 0) steps.splice(swapAt, 0, grow);
    else steps.push(grow);
  }
  steps.push(...checks);
  if (table && target.sizeBytes > cloneRequiredBytes(source) && !opts.grow && table.type === 'gpt')
    warnings.push(warning('gpt-backup-moves', 'the target is larger than the source: the GPT backup header moves to its end', '--grow would also extend the last partition'));
  return { source, target, grow: opts.grow, ...(shrink ? { shrink } : {}), requiredBytes: cloneRequiredBytes(source), steps, refusals, warnings };
}

export function describeClonePlan(plan: ClonePlan): string[] {
  const lines = [`Clone ${plan.source.device} (${plan.source.tableType}, ${plan.source.sizeBytes} bytes) onto ${plan.target.device} (${plan.target.sizeBytes} bytes${plan.target.model ? `, ${plan.target.model}` : ''}); ${plan.source.device} is only read`];
  if (plan.shrink) lines.push(...describeShrinkLayout(plan.shrink));
  for (const s of plan.steps) lines.push(`  - ${s.text}`);
  for (const w of plan.warnings) lines.push(`  note: ${warningText(w)}`);
  for (const r of plan.refusals) lines.push(`  REFUSED: ${r.message}`);
  return lines;
}

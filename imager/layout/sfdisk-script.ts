// Writes the sfdisk script that recreates a layout's partition table on a target disk, under a size policy.
import { isExtended } from '../parse/sfdisk.js';
import type { LayoutPartition, LayoutTable } from './model.js';

/**
 * How partitions are placed on the target: every partition as in the image, the last one grown to the end of the
 * disk (a logical one with its extended partition), or each at the start and size a plan gave it (a smaller disk:
 * layout/shrink-plan.ts), by partition number.
 */
export type SizePolicy = { kind: 'same-sizes' } | { kind: 'grow-last' } | { kind: 'planned'; at: ReadonlyMap<number, { start: number; size: number }> };

export interface ScriptTarget {
  device: string;
  partitionPath: (n: number) => string;
}

/** The partition that ends last (not an extended one), and the extended partition that holds it, if any. */
export function lastPartitionOf(table: { type: LayoutTable['type']; partitions: ReadonlyArray<Pick<LayoutPartition, 'number' | 'start' | 'size' | 'type'>> }): { number: number; extended: number | undefined } | undefined {
  const data = table.partitions.filter((p) => !isExtended(table, p));
  const last = [...data].sort((a, b) => b.start + b.size - (a.start + a.size))[0];
  if (!last) return undefined;
  const ext = table.partitions.find((p) => isExtended(table, p) && last.start >= p.start && last.start < p.start + p.size);
  return { number: last.number, extended: ext?.number };
}

/** sfdisk quotes names and attributes; a quote inside cannot be written, so it is left out. */
const quoted = (s: string) => `"${s.replace(/"/g, '')}"`;

/**
 * The script for `sfdisk DEV`: the table's type, disk id (GPT GUID or MBR signature), first usable sector and
 * sector size; each partition's start, size, type, GPT GUID, name and attributes, and the MBR boot flag. The GPT's
 * last usable sector is left out, so a larger target gets its backup header at its own end; a partition that grows
 * has no size, so sfdisk extends it to the end of the free space.
 */
export function sfdiskScript(table: LayoutTable, target: ScriptTarget, policy: SizePolicy): string {
  const grow = policy.kind === 'grow-last' ? lastPartitionOf(table) : undefined;
  const sized = (n: number) => !(grow && (n === grow.number || n === grow.extended));
  const lines = [`label: ${table.type}`];
  if (table.id) lines.push(`label-id: ${table.id}`);
  lines.push(`device: ${target.device}`, 'unit: sectors');
  if (table.firstLba !== undefined) lines.push(`first-lba: ${table.firstLba}`);
  lines.push(`sector-size: ${table.sectorSize}`, '');
  const placed = (p: LayoutPartition) => (policy.kind === 'planned' ? (policy.at.get(p.number) ?? p) : p);
  for (const p of table.partitions) {
    const { start, size } = placed(p);
    const fields = [`start=${start}`];
    if (sized(p.number)) fields.push(`size=${size}`);
    fields.push(`type=${p.type}`);
    if (p.uuid) fields.push(`uuid=${p.uuid}`);
    if (p.name) fields.push(`name=${quoted(p.name)}`);
    if (p.attrs) fields.push(`attrs=${quoted(p.attrs)}`);
    if (p.bootable) fields.push('bootable');
    lines.push(`${target.partitionPath(p.number)} : ${fields.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

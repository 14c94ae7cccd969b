// lifeboat disks: every disk with its identity, table and partitions.
import type { CommandModule } from 'yargs';
import { listDisks, type Disk } from '../../imager/disks/probe.js';
import type { Content, LayoutNode } from '../../imager/layout/model.js';
import { bytes } from '../../core/format.js';
import { makeContext } from '../context.js';

/** One line for a content kind, e.g. "LUKS2 3f1e…", "LVM PV of VG vg0", "md member (raid1) of 3c1e…". */
export function describeContent(c: Content): string {
  switch (c.kind) {
    case 'filesystem':
      return [c.fsType, c.label, c.uuid].filter(Boolean).join(' ');
    case 'swap':
      return ['swap', c.label, c.uuid].filter(Boolean).join(' ');
    case 'luks':
      return [`LUKS${c.version ?? ''}`, c.uuid, c.children.length ? '' : '(closed)'].filter(Boolean).join(' ');
    case 'lvm-pv':
      return `LVM PV${c.vgName ? ` of VG ${c.vgName}` : ' (no VG)'}${c.pvUuid ? ` ${c.pvUuid}` : ''}`;
    case 'md-member':
      return `md member${c.level ? ` (${c.level})` : ''}${c.arrayUuid ? ` of array ${c.arrayUuid}` : ''}${c.name ? ` ${c.name}` : ''}`;
    case 'bitlocker':
      return `BitLocker${c.version ? ` v${c.version}` : ''}`;
    case 'extended':
      return 'extended';
    case 'unknown':
      return `unknown${c.blkidType ? ` (${c.blkidType})` : c.ptType ? ` (${c.ptType} table)` : ''}`;
    case 'empty':
      return 'empty';
  }
}

/** The lines under a partition for what its content holds: LVs, opened LUKS, assembled arrays, indented per level. */
export function describeNested(c: Content, indent: string): string[] {
  const lines: string[] = [];
  const node = (n: LayoutNode, what: string) => {
    lines.push(`${indent}└ ${what}${n.device}  ${bytes(n.sizeBytes)}  ${describeContent(n.content)}`);
    lines.push(...describeNested(n.content, `${indent}  `));
  };
  if (c.kind === 'lvm-pv')
    for (const lv of c.lvs) {
      if (lv.node) node(lv.node, `LV ${lv.name} `);
      else lines.push(`${indent}└ LV ${lv.name}  ${bytes(lv.sizeBytes)}  (not active)`);
    }
  if ('children' in c) for (const n of c.children) node(n, '');
  return lines;
}

export function describeDisk(d: Disk): string[] {
  const flags = [d.removable ? 'removable' : '', d.liveMedium ? 'LIVE MEDIUM' : '', d.inUse ? 'in use' : '', d.readOnly ? 'read-only' : ''].filter(Boolean).join(', ');
  const lines = [`${d.device}  ${bytes(d.sizeBytes)}  ${d.model ?? (d.backingFile ? `loop: ${d.backingFile}` : '')}${d.serial ? `  serial ${d.serial}` : ''}  ${d.tableType}  sectors ${d.logicalSectorSize}/${d.physicalSectorSize}${flags ? `  [${flags}]` : ''}`];
  for (const id of d.ids) lines.push(`    id ${id}`);
  if (d.problem) lines.push(`    cannot be read: ${d.problem}`);
  const contents = new Map((d.layout.table?.partitions ?? []).map((p) => [p.number, p.content]));
  if (d.layout.content && d.layout.content.kind !== 'empty') lines.push(`    holds ${describeContent(d.layout.content)}`, ...describeNested(d.layout.content, '      '));
  for (const p of d.partitions) {
    const content = contents.get(p.number);
    const fs = p.extended ? 'extended' : (p.fs.type ?? (content && content.kind !== 'unknown' && content.kind !== 'empty' ? describeContent(content) : '-'));
    lines.push(`  ${String(p.number).padStart(2)} ${p.device.padEnd(16)} ${bytes(p.sizeBytes).padStart(9)}  ${fs.padEnd(8)} ${(p.fs.label ?? '').padEnd(12)} used ${bytes(p.usedBytes).padStart(9)}  ${p.mountpoints.length ? `mounted on ${p.mountpoints.join(', ')}` : ''}${p.swapActive ? 'active swap' : ''}`);
    if (content && !['filesystem', 'swap', 'extended'].includes(content.kind)) lines.push(`       ${describeContent(content)}`, ...describeNested(content, '         '));
  }
  return lines;
}

export const disksCommand: CommandModule<object, { json: boolean }> = {
  command: 'disks',
  describe: 'List disks with their partitions, filesystems, usage and mount state',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print JSON' }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const disks = await listDisks(ctx.runner);
    ctx.out.result({ disks }, disks.flatMap(describeDisk));
  },
};

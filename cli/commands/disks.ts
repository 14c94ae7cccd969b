// lifeboat disks: every disk with its identity, table and partitions.
import type { CommandModule } from 'yargs';
import { listDisks, type Disk } from '../../imager/disks/probe.js';
import { bytes } from '../../core/format.js';
import { makeContext } from '../context.js';

export function describeDisk(d: Disk): string[] {
  const flags = [d.removable ? 'removable' : '', d.liveMedium ? 'LIVE MEDIUM' : '', d.inUse ? 'in use' : '', d.readOnly ? 'read-only' : ''].filter(Boolean).join(', ');
  const lines = [`${d.device}  ${bytes(d.sizeBytes)}  ${d.model ?? (d.backingFile ? `loop: ${d.backingFile}` : '')}${d.serial ? `  serial ${d.serial}` : ''}  ${d.tableType}  sectors ${d.logicalSectorSize}/${d.physicalSectorSize}${flags ? `  [${flags}]` : ''}`];
  for (const id of d.ids) lines.push(`    id ${id}`);
  if (d.problem) lines.push(`    cannot be read: ${d.problem}`);
  for (const p of d.partitions) {
    const fs = p.extended ? 'extended' : (p.fs.type ?? '-');
    lines.push(`  ${String(p.number).padStart(2)} ${p.device.padEnd(16)} ${bytes(p.sizeBytes).padStart(9)}  ${fs.padEnd(8)} ${(p.fs.label ?? '').padEnd(12)} used ${bytes(p.usedBytes).padStart(9)}  ${p.mountpoints.length ? `mounted on ${p.mountpoints.join(', ')}` : ''}${p.swapActive ? 'active swap' : ''}`);
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

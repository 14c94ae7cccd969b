// Disks, partitions and images in short lines that fit an 80-column screen.
import path from 'node:path';
import type { Disk, FoundImage, Store } from './backend/port.js';
import { bytes } from '../core/format.js';

/** What the disk is: its model, or the file behind a loop device. */
export function diskWhat(d: Disk): string {
  return d.model ?? (d.backingFile ? `loop of ${path.basename(d.backingFile)}` : d.transport ?? '');
}

export function diskFlags(d: Disk): string[] {
  return [d.liveMedium ? 'LIVE MEDIUM' : '', d.inUse ? 'MOUNTED' : '', d.readOnly ? 'read-only' : '', d.removable ? 'removable' : ''].filter(Boolean);
}

/** One line per disk: name, size, table, what it is, marks. */
export function diskLine(d: Disk): string {
  const flags = diskFlags(d);
  return `${d.device.padEnd(13)} ${bytes(d.sizeBytes).padStart(9)}  ${d.tableType.padEnd(4)}  ${diskWhat(d)}${flags.length ? `  [${flags.join(', ')}]` : ''}`;
}

/** One line per partition: number, name, size, filesystem, label, used, mount. */
export function partitionLines(d: Disk): string[] {
  return d.partitions.map((p) => {
    const fs = p.extended ? 'extended' : (p.fs.type ?? '-');
    const used = p.usedBytes !== undefined ? `used ${bytes(p.usedBytes)}` : '';
    const mount = p.mountpoints.length ? `on ${p.mountpoints[0]}` : p.swapActive ? 'swap on' : '';
    return `  ${String(p.number).padStart(2)} ${path.basename(p.device).padEnd(12)} ${bytes(p.sizeBytes).padStart(9)}  ${fs.padEnd(8)} ${(p.fs.label ?? '').slice(0, 12).padEnd(12)} ${used.padEnd(15)} ${mount}`.trimEnd();
  });
}

/** The whole Disks screen as lines. */
export function disksText(disks: Disk[]): string[] {
  if (disks.length === 0) return ['No disks found.'];
  return disks.flatMap((d) => [diskLine(d), ...(d.problem ? [`    cannot be read: ${d.problem}`] : []), ...partitionLines(d), '']);
}

export function storeLine(s: Store): string {
  const free = s.usedBytes !== undefined ? `, ${bytes(Math.max(0, s.sizeBytes - s.usedBytes))} free` : '';
  return `${s.device.padEnd(14)} ${s.fsType.padEnd(6)} ${(s.label ?? '').slice(0, 14).padEnd(14)} ${bytes(s.sizeBytes).padStart(9)}${free}${s.mountedAt ? `  (mounted on ${s.mountedAt})` : ''}`;
}

export function imageLine(i: FoundImage): string {
  const origin = i.origin === 'lifeboat' ? 'Lifeboat' : 'Clonezilla';
  return `${i.path}  (${path.basename(i.store)})  ${i.problem ? 'UNUSABLE' : `${origin}, ${i.diskName} ${i.tableType}, needs ${bytes(i.requiredBytes)}`}`;
}

export function imageDetail(i: FoundImage): string {
  if (i.problem) return i.problem;
  return `${i.partitions.length} partitions, ${bytes(i.imageBytes)} of image${i.createdAt ? `, made ${i.createdAt.replace('T', ' ').slice(0, 16)}` : ''}`;
}

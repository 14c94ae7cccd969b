// Turns what the user typed (/dev/sda, /dev/disk/by-id/…, /dev/loop3) into a whole disk, or a clear error.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError, UsageError } from '../../core/errors.js';
import { isPartition, majMinOf, wholeDiskName } from './sysfs.js';

export interface ResolvedDisk {
  /** The kernel's device path, e.g. /dev/loop3 */
  device: string;
  /** Kernel name, e.g. loop3 */
  name: string;
  majMin: string;
  /** What the user gave, e.g. /dev/disk/by-id/ata-… */
  given: string;
}

export async function resolveDisk(given: string): Promise<ResolvedDisk> {
  const input = given.startsWith('/') ? given : path.join('/dev', given);
  let device: string;
  try {
    device = await realpath(input);
  } catch {
    throw new NotFoundError(`no such disk: ${given}`, "run 'lifeboat disks' to see the disks");
  }
  const st = await stat(device);
  if (!st.isBlockDevice()) throw new UsageError(`${given} is not a block device`, "give a whole disk, e.g. /dev/sda; 'lifeboat disks' lists them");
  const majMin = await majMinOf(device);
  if (await isPartition(majMin)) {
    const parent = await wholeDiskName(majMin);
    throw new UsageError(`${given} is a partition, not a whole disk`, parent ? `give the disk it is on: /dev/${parent}` : 'give the whole disk');
  }
  return { device, name: path.basename(device), majMin, given };
}

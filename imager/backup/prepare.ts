// The facts a backup plan needs from the machine: the source disk probed, and which disk holds a local folder.
import { stat } from 'node:fs/promises';
import { partitionNodesFor } from '../disks/kernel.js';
import { probeDisk, type Disk } from '../disks/probe.js';
import { resolveDisk } from '../disks/resolve.js';
import { wholeDiskName } from '../disks/sysfs.js';
import type { Runner } from '../../core/runner/run.js';

/** The whole disk (kernel name) under the filesystem that holds `dir`. */
export async function diskHolding(dir: string): Promise<string | undefined> {
  const st = await stat(dir);
  const major = Math.floor(st.dev / 256) & 0xfff;
  const minor = (st.dev & 0xff) | ((st.dev >> 12) & 0xfff00);
  return wholeDiskName(`${major}:${minor}`);
}

/**
 * The source disk as named, probed; its partitions are added to the kernel where missing, except in a dry run
 * (which changes nothing: `wouldAdd` then lists them for the plan's note).
 */
export async function probeSource(runner: Runner, diskArg: string, dryRun = false): Promise<{ disk: Disk; wouldAdd: number[] }> {
  const resolved = await resolveDisk(diskArg);
  const probed = await probeDisk(runner, resolved.device);
  return partitionNodesFor(runner, probed.device, probed, () => probeDisk(runner, resolved.device), dryRun);
}

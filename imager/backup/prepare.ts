// Gathers the facts a backup plan needs (the disk, the destination's disk and free space) and makes the plan.
import { check } from 'diskusage';
import { stat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError } from '../../core/errors.js';
import { partitionNodesFor } from '../disks/kernel.js';
import { probeDisk } from '../disks/probe.js';
import { resolveDisk } from '../disks/resolve.js';
import { wholeDiskName } from '../disks/sysfs.js';
import type { Runner } from '../../core/runner/run.js';
import { planBackup, type BackupOptions, type BackupPlan } from './plan.js';

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** The whole disk (kernel name) under the filesystem that holds `dir`. */
export async function diskHolding(dir: string): Promise<string | undefined> {
  const st = await stat(dir);
  const major = Math.floor(st.dev / 256) & 0xfff;
  const minor = (st.dev & 0xff) | ((st.dev >> 12) & 0xfff00);
  return wholeDiskName(`${major}:${minor}`);
}

/** With `dryRun` nothing changes: no folder is made on the store and no partition node is added to the kernel. */
export async function prepareBackup(runner: Runner, diskArg: string, imageDir: string, opts: BackupOptions, { dryRun = false }: { dryRun?: boolean } = {}): Promise<BackupPlan> {
  const resolved = await resolveDisk(diskArg);
  const probed = await probeDisk(runner, resolved.device);
  const { disk, wouldAdd } = await partitionNodesFor(runner, probed.device, probed, () => probeDisk(runner, resolved.device), dryRun);
  const target = path.resolve(imageDir);
  const parent = path.dirname(target);
  // The folder that will hold the image, or (a dry run, before the backup made it) the existing one above it.
  let holder = parent;
  if (!(await exists(parent))) {
    // The store's top directory must exist (a mounted stick); the image may go into a new folder below it.
    const grand = path.dirname(parent);
    if (!(await exists(grand))) throw new NotFoundError(`the destination ${parent} does not exist`, 'mount the store first, or give an existing directory');
    if (dryRun) holder = grand;
    else await mkdir(parent);
  }
  const usage = await check(holder);
  return planBackup(
    { disk, imageDir: target, imageDirExists: await exists(target), destinationDisk: await diskHolding(holder), freeBytes: usage.available, missingPartitionNodes: wouldAdd },
    opts,
  );
}

// Gathers the facts a restore plan needs (the image, the target disk, which disk holds the image) and makes the plan.
import { addMissingPartitionNodes } from '../disks/kernel.js';
import { probeDisk } from '../disks/probe.js';
import { resolveDisk } from '../disks/resolve.js';
import { diskHolding } from '../backup/prepare.js';
import { openImage } from '../image/open.js';
import type { Runner } from '../../core/runner/run.js';
import { planRestore, type RestoreOptions, type RestorePlan } from './plan.js';

export async function prepareRestore(runner: Runner, imageDir: string, diskArg: string, opts: RestoreOptions): Promise<RestorePlan> {
  const image = await openImage(imageDir);
  const resolved = await resolveDisk(diskArg);
  let target = await probeDisk(runner, resolved.device);
  if (target.table && (await addMissingPartitionNodes(runner, target.device, target.table))) target = await probeDisk(runner, resolved.device);
  return planRestore({ image, target, imageDisk: await diskHolding(image.dir) }, opts);
}

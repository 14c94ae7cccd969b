// Gathers the facts a restore plan needs (the image, the target disk, which disk holds the image, and for a smaller
// target the staging space and the partitions' used bytes) and makes the plan.
import { partitionNodesFor } from '../disks/kernel.js';
import { probeDisk } from '../disks/probe.js';
import { resolveDisk } from '../disks/resolve.js';
import { diskHolding } from '../backup/prepare.js';
import { openImage } from '../image/open.js';
import type { Runner } from '../../core/runner/run.js';
import { planRestore, type RestoreOptions, type RestorePlan } from './plan.js';
import { stagingSpaces, tempStagingSpaces } from './staging-space.js';
import { usedBytesOf } from './used-bytes.js';
import type { ImageDir } from '../crypt/image-dir.js';
import { activeVgsOn, allPvs } from '../lvm/probe.js';

/**
 * With `dryRun` nothing changes: no partition node is added to the kernel. `at` is where the image lies when imageDir
 * is another view of it (an encrypted image's plaintext mount): the disk holding it is that folder's, and staging
 * copies never go beside an encrypted image (they would be plaintext on its store).
 */
export async function prepareRestore(runner: Runner, imageDir: string, diskArg: string, opts: RestoreOptions, { dryRun = false, at }: { dryRun?: boolean; at?: ImageDir } = {}): Promise<RestorePlan> {
  const image = await openImage(imageDir);
  const resolved = await resolveDisk(diskArg);
  const probed = await probeDisk(runner, resolved.device);
  const { disk: target, wouldAdd } = await partitionNodesFor(runner, probed.device, probed, () => probeDisk(runner, resolved.device), dryRun);
  const smaller = opts.shrink === true && target.sizeBytes < image.requiredBytes;
  const staging = smaller ? await (at?.encrypted ? tempStagingSpaces() : stagingSpaces(image.dir)) : undefined;
  const used = smaller ? (await usedBytesOf(runner, image)).bytes : undefined;
  const lvm = image.lvm.length > 0 ? { machinePvs: await allPvs(runner), activeOnTarget: activeVgsOn(target) } : undefined;
  return planRestore({ image, target, imageDisk: await diskHolding(at?.home ?? image.dir), missingPartitionNodes: wouldAdd, ...(staging ? { staging } : {}), ...(used ? { usedBytes: used } : {}), ...(lvm ? { lvm } : {}) }, opts);
}

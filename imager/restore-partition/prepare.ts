// Gathers the facts a one-partition restore needs (the image and its partition, the target disk and partition, the
// filesystem's size from its image header, where the image lives) and makes the plan.
import { stat } from 'node:fs/promises';
import { NotFoundError, UsageError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { partitionNodesFor } from '../disks/kernel.js';
import { probeDisk } from '../disks/probe.js';
import { resolveDisk } from '../disks/resolve.js';
import { openImage } from '../image/open.js';
import { readPartcloneHeader } from '../image/partition-header.js';
import { stagingSpaces, tempStagingSpaces } from '../restore/staging-space.js';
import { planPartitionRestore, sourcePartitionBytes, type PartitionRestorePlan } from './plan.js';
import type { ImageDir } from '../crypt/image-dir.js';

/** Which partition of the image goes onto which partition of the disk (the CLI's --partition N[:M]). */
export interface PartitionChoice {
  source: number;
  target: number;
}

/** `N` or `N:M` (image partition N onto the disk's partition M; M is N when left out), or a UsageError. */
export function parsePartitionChoice(text: string): PartitionChoice {
  const m = /^(\d+)(?::(\d+))?$/.exec(text.trim());
  if (!m || Number(m[1]) < 1 || (m[2] !== undefined && Number(m[2]) < 1))
    throw new UsageError(`--partition ${text}: give a partition number, or two (N:TARGET)`, 'e.g. --partition 2 (the image\'s 2 onto the disk\'s 2) or --partition 2:3');
  return { source: Number(m[1]), target: Number(m[2] ?? m[1]) };
}

async function sameDevice(dir: string, device: string): Promise<boolean> {
  const [d, p] = await Promise.all([stat(dir), stat(device)]);
  return d.dev === p.rdev;
}

/** With `dryRun` nothing changes: no partition node is added to the kernel. */
/** `at`: where the image lies when imageDir is another view of it (an encrypted image's plaintext mount). */
export async function preparePartitionRestore(runner: Runner, imageDir: string, diskArg: string, choice: PartitionChoice, { dryRun = false, at }: { dryRun?: boolean; at?: ImageDir } = {}): Promise<PartitionRestorePlan> {
  const image = await openImage(imageDir);
  const source = image.partitions.find((p) => p.number === choice.source);
  if (!source) throw new NotFoundError(`the image has no partition ${choice.source}`, `its partitions: ${image.partitions.map((p) => p.number).join(', ')}; 'lifeboat info' lists them`);
  if (source.action === 'extended') throw new UsageError(`partition ${choice.source} of the image is an extended partition (a container of logical partitions)`, 'give a partition that holds data');
  if (source.action === 'lvm-pv') throw new UsageError(`partition ${choice.source} of the image is an LVM PV, saved through its volume group's LVs`, 'restore the whole disk to restore the volume group; restoring one LV is not built yet');
  if (source.action !== 'swap' && (source.files.length === 0 || !source.handler)) throw new UsageError(`the image holds no data of partition ${choice.source}`, 'give a partition that the image saved');
  const resolved = await resolveDisk(diskArg);
  const probed = await probeDisk(runner, resolved.device);
  const { disk } = await partitionNodesFor(runner, probed.device, probed, () => probeDisk(runner, resolved.device), dryRun);
  const target = disk.partitions.find((p) => p.number === choice.target);
  if (!target) throw new NotFoundError(`${disk.device} has no partition ${choice.target}`, `its partitions: ${disk.partitions.map((p) => p.number).join(', ') || 'none'}; 'lifeboat disks' lists them`);
  if (target.extended) throw new UsageError(`${target.device} is an extended partition (a container of logical partitions)`, 'give a partition that holds data');
  const header = source.action === 'partclone' ? await readPartcloneHeader(runner, source.files, image.codec) : undefined;
  const recorded = image.manifest?.partitions.find((p) => p.number === source.number)?.usedBytes;
  const fsBytes = header?.deviceBytes ?? sourcePartitionBytes(image, source.number);
  return planPartitionRestore({
    image,
    source,
    disk,
    target,
    fsBytes: header?.deviceBytes,
    usedBytes: recorded ?? (header ? header.usedBlocks * header.blockSize : undefined),
    imageOnTarget: await sameDevice(at?.home ?? image.dir, target.device).catch(() => false),
    // Staging never goes beside an encrypted image: it would be plaintext on its store.
    ...(target.sizeBytes < fsBytes ? { staging: await (at?.encrypted ? tempStagingSpaces() : stagingSpaces(image.dir)) } : {}),
  });
}

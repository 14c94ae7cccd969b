// Test helper: disk files attached as loop devices, with partitions added through partx, always detached afterwards.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface LoopDisk {
  file: string;
  device: string; // /dev/loopN
  name: string; // loopN
  part(n: number): string; // /dev/loopNpM
  detach(): Promise<void>;
}

const attached = new Set<string>();

/** The partition nodes the kernel has for a loop device (sysfs), e.g. ['loop4p1']. */
async function partitionNodes(device: string): Promise<string[]> {
  const name = path.basename(device);
  const entries = await readdir(`/sys/block/${name}`).catch(() => [] as string[]);
  return entries.filter((e) => e.startsWith(`${name}p`));
}

/**
 * Drops every partition node of a loop device, waiting for holders that are still closing (a killed job's child,
 * a lazy unmount). A loop device reused without a partition scan keeps the nodes of its last file: left there, the
 * next test would write through them at the old offsets.
 */
async function dropPartitionNodes(device: string): Promise<void> {
  for (let i = 0; ; i++) {
    if ((await partitionNodes(device)).length === 0) return;
    await execa('partx', ['-d', device], { reject: false });
    if ((await partitionNodes(device)).length === 0) return;
    if (i === 100) throw new Error(`${device}: partitions ${(await partitionNodes(device)).join(', ')} still held after 10 s (fuser -vm /dev/${(await partitionNodes(device))[0]})`);
    await sleep(100);
  }
}

/** Attaches a disk file and adds its partitions (the host kernel does not scan tables itself). */
export async function attach(file: string): Promise<LoopDisk> {
  const { stdout } = await execa('losetup', ['-f', '--show', file]);
  const device = stdout.trim();
  attached.add(device);
  await dropPartitionNodes(device);
  await execa('partx', ['-a', device], { reject: false });
  return {
    file,
    device,
    name: path.basename(device),
    part: (n: number) => `${device}p${n}`,
    detach: () => detach(device),
  };
}

export async function detach(device: string): Promise<void> {
  try {
    await dropPartitionNodes(device);
  } finally {
    await execa('losetup', ['-d', device], { reject: false });
    attached.delete(device);
  }
}

/** Refreshes a loop disk's partition nodes after its table was rewritten from outside Lifeboat. */
export async function refreshPartitions(device: string): Promise<void> {
  await execa('partx', ['-d', device], { reject: false });
  await execa('partx', ['-a', device], { reject: false });
}

export async function makeSparse(file: string, sizeMiB: number): Promise<void> {
  await execa('truncate', ['-s', `${sizeMiB}M`, file]);
}

/** Writes a partition table from an sfdisk script. */
export async function partition(file: string, script: string): Promise<void> {
  await execa('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', file], { input: script });
}

/**
 * A GPT disk file of sizeMiB with one Linux partition holding an ext4 filesystem labelled `label`, attached and
 * pushed onto `attached` (so the caller's scratch() detaches it); with `randomMiB`, a file of that much random data
 * (it does not compress: a backup of it lasts).
 */
export async function ext4Disk(attached: LoopDisk[], file: string, o: { sizeMiB: number; label: string; randomMiB?: number }): Promise<LoopDisk> {
  await makeSparse(file, o.sizeMiB);
  await partition(file, 'label: gpt\ntype=linux');
  const disk = await attach(file);
  attached.push(disk);
  await execa('mkfs.ext4', ['-q', '-F', '-L', o.label, disk.part(1)]);
  if (o.randomMiB) await withMount(disk.part(1), (m) => execa('dd', ['if=/dev/urandom', `of=${m}/random.bin`, 'bs=4M', `count=${Math.ceil(o.randomMiB! / 4)}`, 'status=none']));
  return disk;
}

export async function tempDir(prefix = 'lifeboat-test-'): Promise<string> {
  const base = process.env['LIFEBOAT_TEST_TMP'] ?? tmpdir();
  return mkdtemp(path.join(base, prefix));
}

/** Mounts a device on a fresh directory for the duration of fn, and always unmounts it. */
export async function withMount<T>(device: string, fn: (dir: string) => Promise<T>, options: string[] = []): Promise<T> {
  const dir = await tempDir('lifeboat-mnt-');
  await execa('mount', [...options, device, dir]);
  try {
    return await fn(dir);
  } finally {
    await execa('umount', [dir], { reject: false });
    await rm(dir, { recursive: true, force: true });
  }
}

/** Detaches every loop device this process attached (for test teardown after a failure). */
export async function detachAll(): Promise<void> {
  for (const d of [...attached]) await detach(d);
}

/** A scratch directory and a list of loop disks, all removed and detached when the test ends, pass or fail. */
export async function scratch(t: { teardown(fn: () => Promise<void>): void }): Promise<{ dir: string; attached: LoopDisk[] }> {
  const dir = await tempDir();
  const attached: LoopDisk[] = [];
  t.teardown(async () => {
    for (const d of attached) await d.detach();
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, attached };
}

/** SHA-256 of a whole file (a disk image), streamed. */
export async function fileHash(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}

// Acceptance 5: `backup --dry-run` and `restore --dry-run` change nothing: the store's tree, the disks' bytes and the kernel's partitions.
import test from 'ava';
import { execa } from 'execa';
import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { attach, ext4Disk, fileHash, makeSparse, partition, scratch, type LoopDisk } from '../helpers/loop.js';

/** Every entry under dir with what a write would change (type, mode, size, mtime, inode), sorted. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const name of (await readdir(d)).sort()) {
      const full = path.join(d, name);
      const s = await lstat(full);
      out.push(`${path.relative(dir, full)} ${s.isDirectory() ? 'd' : 'f'} ${s.mode.toString(8)} ${s.size} ${s.mtimeMs} ${s.ino}`);
      if (s.isDirectory()) await walk(full);
    }
  };
  await walk(dir);
  return out;
}

/** What the kernel shows of a loop disk: its lines of /proc/partitions and the entries of /sys/block/loopN/. */
async function kernelView(disk: LoopDisk): Promise<{ partitions: string[]; sysfs: string[] }> {
  const proc = (await readFile('/proc/partitions', 'utf8')).split('\n').filter((l) => new RegExp(`\\b${disk.name}(p\\d+)?$`).test(l.trim()));
  return { partitions: proc, sysfs: (await readdir(`/sys/block/${disk.name}`)).sort() };
}

async function snapshot(store: string, disks: LoopDisk[]) {
  return {
    store: await tree(store),
    disks: await Promise.all(disks.map(async (d) => ({ device: d.device, sha256: await fileHash(d.file), kernel: await kernelView(d) }))),
  };
}

test.serial('backup --dry-run and restore --dry-run leave the store, the disks and the kernel partition list as they were', async (t) => {
  const { dir, attached } = await setup(t);
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 64, label: 'dryrun' });
  const store = path.join(dir, 'store');
  await execa('mkdir', ['-p', store]);
  const image = path.join(store, 'image');
  t.is((await lifeboat(['backup', source.device, image])).exitCode, 0);
  const targetFile = path.join(dir, 'target.img');
  await makeSparse(targetFile, 128);
  await partition(targetFile, 'label: gpt\ntype=linux');
  const target = await attach(targetFile);
  attached.push(target);
  // Both disks without partition nodes, as after a plain losetup: a real job adds them (partx -a), a dry run must not.
  for (const d of [source, target]) await execa('partx', ['-d', d.device]);
  const before = await snapshot(store, [source, target]);
  t.false(before.disks.some((d) => d.kernel.partitions.some((l) => /loop\d+p\d+$/.test(l))), 'no partition nodes before');

  // The image would go into a folder that does not exist yet: a dry run does not make it.
  const backup = await lifeboat(['backup', source.device, path.join(store, 'new-folder', 'image2'), '--dry-run']);
  t.is(backup.exitCode, 0, backup.stderr);
  t.regex(backup.stdout, /Back up /);
  t.regex(backup.stdout, /note: the kernel has no nodes for partition 1 of .*; the backup adds them \(partx -a\)/);
  const restore = await lifeboat(['restore', image, target.device, '--dry-run']);
  t.is(restore.exitCode, 0, restore.stderr);
  t.regex(restore.stdout, /Restore .* onto /);
  const json = await lifeboat(['restore', image, target.device, '--dry-run', '--json']);
  t.is(json.exitCode, 0, json.stderr);

  const after = await snapshot(store, [source, target]);
  t.deepEqual(after.store, before.store, "the store's tree is unchanged");
  t.deepEqual(after.disks, before.disks, "the disks' bytes and the kernel's partitions are unchanged");
});

const setup = scratch;

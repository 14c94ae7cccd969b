// restore --shrink of an MBR disk (ext4 primary; ext4, NTFS and swap in logical partitions) onto a disk 40% smaller.
import test from 'ava';
import { execa } from 'execa';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { fingerprint, writeBootCode, writeEbrCode, writeFiles } from '../helpers/fixtures.js';
import { attach, makeSparse, partition, scratch, withMount } from '../helpers/loop.js';
import { treeMeta, writeRichTree } from '../helpers/tree-meta.js';
import { readBytes } from '../../imager/boot/sectors.js';

const sfdiskJson = async (device: string) => JSON.parse((await execa('sfdisk', ['--json', device])).stdout).partitiontable;
const ids = (b: Record<string, string>) => Object.fromEntries(['TYPE', 'UUID', 'LABEL', 'PART_ENTRY_UUID', 'PART_ENTRY_TYPE', 'PART_ENTRY_NUMBER'].map((k) => [k, b[k]]));

test('an MBR disk with NTFS and ext4 in logical partitions onto a disk 40% smaller: sizes shown, files, ids and boot records kept, checks clean', async (t) => {
  const { dir, attached } = await scratch(t);
  const file = path.join(dir, 'src.img');
  await makeSparse(file, 2048);
  await partition(file, ['label: dos', 'label-id: 0x4c494646', 'size=600M, type=83, bootable', 'type=5', 'size=700M, type=83', 'size=600M, type=7', 'size=100M, type=82'].join('\n'));
  await writeBootCode(file);
  const src = await attach(file);
  attached.push(src);
  await writeEbrCode(src.part(2));
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'mbrroot', src.part(1)]);
  await withMount(src.part(1), (d) => writeFiles(d, 1500, 'p1'));
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'mbrlogical', src.part(5)]);
  await withMount(src.part(5), (d) => writeRichTree(d, 100, 'p5'));
  await execa('mkntfs', ['-Q', '-q', '-F', '-L', 'mbrwin', src.part(6)]);
  await withMount(src.part(6), (d) => writeFiles(d, 300, 'p6'), ['-t', 'ntfs-3g']);
  await execa('mkswap', ['-L', 'mbrswap', src.part(7)]);
  const image = path.join(dir, 'image');
  const b = await lifeboat(['backup', src.device, image]);
  t.is(b.exitCode, 0, b.stderr);

  const smallFile = path.join(dir, 'small.img');
  await makeSparse(smallFile, Math.floor(2048 * 0.6));
  const small = await attach(smallFile);
  attached.push(small);
  const r = await lifeboat(['restore', image, small.device, '--shrink', '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /p1 \(ext4\): 600 MiB -> \d+ MiB, e2fsck -f and resize2fs/);
  t.regex(r.stderr, /p2 \(extended\): [\d.]+ GiB -> [\d.]+ MiB, holds the logical partitions/);
  t.regex(r.stderr, /p5 \(ext4\): 700 MiB -> \d+ MiB/);
  t.regex(r.stderr, /p6 \(ntfs\): 600 MiB -> \d+ MiB, ntfsresize on a staging copy/);
  t.regex(r.stderr, /p7 \(swap\): 100 MiB -> [\d.]+ MiB, made again by mkswap/);

  const before = await sfdiskJson(src.device);
  const after = await sfdiskJson(small.device);
  t.is(after.id, before.id, 'the disk signature');
  t.deepEqual(after.partitions.map((p: { type: string; bootable?: boolean }) => [p.type, p.bootable ?? false]), before.partitions.map((p: { type: string; bootable?: boolean }) => [p.type, p.bootable ?? false]));
  for (const n of [0, 2, 3, 4]) t.true(after.partitions[n].size < before.partitions[n].size, `partition ${after.partitions[n].node} shrank`);
  const want = await fingerprint(src, { skipSizes: true });
  const got = await fingerprint(small, { skipSizes: true });
  t.is(got.bootCode, want.bootCode, 'the MBR boot code');
  t.is(got.partitions['p2']?.raw, want.partitions['p2']?.raw, "the extended partition's boot record code, at its new place");
  for (const n of ['p1', 'p5', 'p6', 'p7']) t.deepEqual(ids(got.partitions[n]!.blkid), ids(want.partitions[n]!.blkid), `${n}: filesystem type, UUID, label; partition id`);
  for (const n of ['p1', 'p5', 'p6']) t.deepEqual(got.partitions[n]?.files, want.partitions[n]?.files, `${n}: every file`);
  const a = await withMount(src.part(5), treeMeta, ['-o', 'ro']);
  const m = await withMount(small.part(5), treeMeta, ['-o', 'ro']);
  t.deepEqual(m, a, 'the logical ext4: owners, modes, xattrs, ACLs, hard links');
  for (const n of [1, 5]) {
    const fsck = await execa('e2fsck', ['-f', '-n', small.part(n)], { reject: false });
    t.is(fsck.exitCode, 0, fsck.stdout + fsck.stderr);
  }
  const ntfs = await execa('ntfsfix', ['-n', small.part(6)], { reject: false });
  t.is(ntfs.exitCode, 0, ntfs.stdout + ntfs.stderr);
  t.regex(ntfs.stdout, /Checking the alternate boot sector\.\.\. OK/);
  // The logical NTFS moved: its boot sector's hidden sectors name its new start on the disk (Windows boots by it).
  const table = JSON.parse((await execa('sfdisk', ['--json', small.device])).stdout).partitiontable;
  const start = table.partitions.find((q: { node: string }) => q.node.endsWith('p6')).start;
  const boot = await readBytes(small.part(6), 0, 512);
  t.is(boot.readUInt32LE(0x1c), start);
});

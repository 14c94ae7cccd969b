// restore --shrink of an MBR disk whose first partition is a FAT32 data partition (a camera card, a USB stick): the
// FAT is made again, smaller, with its type, serial and label, and its files copied (imager/fs/fat.ts). The host
// cannot mount vfat: files go in and come out through mtools.
import test from 'ava';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { treeHashes, writeFiles } from '../helpers/fixtures.js';
import { attach, makeSparse, partition, scratch, withMount } from '../helpers/loop.js';

const ids = (dev: string) => execa('blkid', ['-p', '-o', 'export', dev]).then((r) => r.stdout.split('\n').filter((l) => /^(TYPE|UUID|LABEL|VERSION|PART_ENTRY_TYPE|PART_ENTRY_NUMBER)=/.test(l)));

/** Every file of a FAT partition (path -> sha256), copied out with mtools. */
async function fatFiles(dev: string, dir: string): Promise<Record<string, string>> {
  await mkdir(dir);
  const { stdout } = await execa('mdir', ['-b', '-a', '-i', dev, '::/']);
  for (const e of stdout.split('\n').filter((l) => l.startsWith('::/'))) await execa('mcopy', ['-s', '-m', '-n', '-i', dev, e.replace(/\/$/, ''), dir]);
  const out: Record<string, string> = {};
  const list = (await execa('find', [dir, '-type', 'f', '-printf', '%P\\n'])).stdout.split('\n').filter(Boolean).sort();
  for (const f of list) out[f] = createHash('sha256').update(await readFile(path.join(dir, f))).digest('hex');
  return out;
}

test('a FAT32 data partition and an ext4 onto a smaller disk: the FAT made again with its ids, every file copied, both clean', async (t) => {
  const { dir, attached } = await scratch(t);
  const file = path.join(dir, 'src.img');
  await makeSparse(file, 600);
  await partition(file, ['label: dos', 'label-id: 0x0cafe000', 'size=300M, type=c', 'size=250M, type=83'].join('\n'));
  const src = await attach(file);
  attached.push(src);
  await execa('mkfs.fat', ['-F', '32', '-n', 'CARD', '-i', '4C494645', '-s', '8', src.part(1)]);
  const tree = path.join(dir, 'tree');
  await mkdir(path.join(tree, 'DCIM', '100CANON'), { recursive: true });
  for (let i = 0; i < 60; i++) await writeFile(path.join(tree, 'DCIM', '100CANON', `IMG_${1000 + i}.JPG`), createHash('sha512').update(String(i)).digest('hex').repeat(300 + 7 * i));
  await writeFile(path.join(tree, 'A long file name.txt'), 'long names are kept\n');
  for (const e of ['DCIM', 'A long file name.txt']) await execa('mcopy', ['-s', '-m', '-i', src.part(1), path.join(tree, e), '::/']);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'cardext', src.part(2)]);
  await withMount(src.part(2), (d) => writeFiles(d, 200, 'fat'));
  const image = path.join(dir, 'image');
  const b = await lifeboat(['backup', src.device, image]);
  t.is(b.exitCode, 0, b.stderr);

  const smallFile = path.join(dir, 'small.img');
  await makeSparse(smallFile, 300);
  const small = await attach(smallFile);
  attached.push(small);
  const r = await lifeboat(['restore', image, small.device, '--shrink', '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /p1 \(vfat\): 300 MiB -> \d+ MiB, a new FAT of the same type, serial number, label and cluster size/);
  t.deepEqual(await ids(small.part(1)), await ids(src.part(1)), 'FAT32, serial, label, partition type');
  t.deepEqual(await ids(small.part(2)), await ids(src.part(2)));
  t.deepEqual(await fatFiles(small.part(1), path.join(dir, 'got')), await fatFiles(src.part(1), path.join(dir, 'want')), 'every file of the FAT');
  await t.notThrowsAsync(execa('fsck.fat', ['-n', small.part(1)]));
  // The boot sector's hidden sectors say where the partition starts on its disk.
  const fh = await open(small.part(1), 'r');
  const boot = Buffer.alloc(512);
  await fh.read(boot, 0, 512, 0);
  await fh.close();
  const start = JSON.parse((await execa('sfdisk', ['--json', small.device])).stdout).partitiontable.partitions[0].start;
  t.is(boot.readUInt32LE(28), start);
  t.deepEqual(await withMount(small.part(2), treeHashes, ['-o', 'ro']), await withMount(src.part(2), treeHashes, ['-o', 'ro']));
  t.is((await execa('e2fsck', ['-f', '-n', small.part(2)], { reject: false })).exitCode, 0);
});

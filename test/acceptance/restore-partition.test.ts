// Acceptance 5: one partition of an image restored onto an existing partition of another disk (a larger partition,
// one smaller than the source's partition but big enough for its filesystem, one smaller than the filesystem): files
// and ids kept, the filesystem grown or shrunk to its new partition, and every other byte of that disk as it was. One image and one target disk for all.
import test from 'ava';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { GUID, treeHashes, writeFiles } from '../helpers/fixtures.js';
import { attach, fileHash, makeSparse, partition, tempDir, withMount, type LoopDisk } from '../helpers/loop.js';

let dir: string;
let image: string;
let target: LoopDisk;
let sourceFiles: Record<string, string>;
const attached: LoopDisk[] = [];
const MiB = 1024 * 1024;

test.before(async () => {
  dir = await tempDir();
  // The source: partition 2 is 150 MiB and holds an ext4 of 100 MiB (a filesystem smaller than its partition).
  const srcFile = path.join(dir, 'source.img');
  await makeSparse(srcFile, 300);
  await partition(srcFile, `label: gpt\nsize=100M, type=${GUID.linux}, name="one"\nsize=150M, type=${GUID.linux}, name="two"\n`);
  const src = await attach(srcFile);
  attached.push(src);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'one', src.part(1)]);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'partdata', '-U', 'dddddddd-1111-4222-8333-444444444444', src.part(2), '100M']);
  await withMount(src.part(2), (d) => writeFiles(d, 300, 'pr'));
  sourceFiles = await withMount(src.part(2), treeHashes, ['-o', 'ro,noload']);
  image = path.join(dir, 'image');
  const r = await lifeboat(['backup', src.device, image]);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  // The target: 1 an ext4 of its own (kept), 2 larger than the source's partition, 3 smaller but big enough for its
  // filesystem, 4 smaller than the filesystem but big enough for its used data, 5 too small for that; its own disk
  // GUID and partition GUIDs.
  const tFile = path.join(dir, 'target.img');
  await makeSparse(tFile, 600);
  await partition(tFile, `label: gpt\nlabel-id: 0AE7BA5E-0000-4000-8000-000000000001\nsize=64M, type=${GUID.linux}, name="keep"\nsize=250M, type=${GUID.linux}, name="bigger"\nsize=120M, type=${GUID.linux}, name="smaller"\nsize=90M, type=${GUID.linux}, name="tiny"\nsize=40M, type=${GUID.linux}, name="wee"\n`);
  target = await attach(tFile);
  attached.push(target);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'keep', '-E', 'lazy_itable_init=0,lazy_journal_init=0', target.part(1)]);
  await withMount(target.part(1), (d) => writeFiles(d, 50, 'keep'));
});

test.after.always(async () => {
  for (const d of attached) await d.detach();
  await rm(dir, { recursive: true, force: true });
});

/** Byte range of partition n of a disk. */
async function rangeOf(device: string, n: number): Promise<{ start: number; end: number }> {
  const t = JSON.parse((await execa('sfdisk', ['--json', device])).stdout).partitiontable;
  const p = t.partitions.find((q: { node: string }) => q.node.endsWith(`p${n}`));
  return { start: p.start * 512, end: (p.start + p.size) * 512 };
}

/** SHA-256 of a disk file without the bytes of one partition: everything a one-partition restore must not write. */
async function hashOutside(file: string, range: { start: number; end: number }): Promise<string> {
  const h = createHash('sha256');
  const size = (await stat(file)).size;
  for (const [start, end] of [[0, range.start], [range.end, size]] as const) {
    if (end <= start) continue;
    for await (const c of createReadStream(file, { start, end: end - 1 })) h.update(c as Buffer);
  }
  return h.digest('hex');
}

async function fsBytes(device: string): Promise<number> {
  const out = (await execa('dumpe2fs', ['-h', device])).stdout;
  return Number(/Block count:\s+(\d+)/.exec(out)![1]) * Number(/Block size:\s+(\d+)/.exec(out)![1]);
}

async function restoredOnto(t: import('ava').ExecutionContext, n: number, sizeMiB: number): Promise<void> {
  const range = await rangeOf(target.device, n);
  const before = await hashOutside(target.file, range);
  const r = await lifeboat(['restore', image, target.device, '--partition', `2:${n}`, '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  if (sizeMiB * MiB < 104857600) t.regex(r.stderr, new RegExp(`restore loop\\d+p2 \\(ext4\\) shrunk from 100 MiB to ${sizeMiB}.0 MiB onto ${target.part(n)}: e2fsck -f and resize2fs on a staging copy`));
  else t.regex(r.stderr, new RegExp(`grow its ext4 filesystem to fill ${target.part(n)} \\(104857600 -> ${sizeMiB * MiB} bytes\\)`));
  t.is(await hashOutside(target.file, range), before, 'every byte outside the partition is as it was (table, GUIDs, the other partitions)');
  const blkid = (await execa('blkid', ['-p', '-o', 'export', target.part(n)])).stdout;
  t.regex(blkid, /UUID=dddddddd-1111-4222-8333-444444444444/);
  t.regex(blkid, /LABEL=partdata/);
  await t.notThrowsAsync(execa('e2fsck', ['-f', '-n', target.part(n)]));
  t.is(await fsBytes(target.part(n)), sizeMiB * MiB, 'the filesystem fills its new partition');
  t.deepEqual(await withMount(target.part(n), treeHashes, ['-o', 'ro,noload']), sourceFiles, 'every file identical');
}

test.serial('onto a larger partition: the filesystem grows to fill it, the rest of the disk is untouched', async (t) => {
  await restoredOnto(t, 2, 250);
});

test.serial('onto a partition smaller than the source partition but big enough for its filesystem', async (t) => {
  await restoredOnto(t, 3, 120);
});

test.serial('--dry-run prints the plan and writes nothing', async (t) => {
  const before = await fileHash(target.file);
  const r = await lifeboat(['restore', image, target.device, '--partition', '2:3', '--dry-run']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /nothing else on \/dev\/loop\d+ is written/);
  t.regex(r.stdout, /restore loop\d+p2 \(ext4, \d+ bytes of image\) to \/dev\/loop\d+p3/);
  t.is(await fileHash(target.file), before);
});

async function refused(t: import('ava').ExecutionContext, args: string[], why: RegExp, code = 4): Promise<void> {
  const before = await fileHash(target.file);
  const r = await lifeboat(['restore', image, target.device, ...args, '--yes']);
  t.is(r.exitCode, code, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('lifeboat: '));
  t.is(lines.length, 1, r.stderr);
  t.regex(r.stderr, why);
  t.is(await fileHash(target.file), before, 'the target disk is untouched');
}

test.serial('onto a partition smaller than the filesystem: shrunk through a staging copy to fill it, the rest of the disk untouched', async (t) => {
  await restoredOnto(t, 4, 90);
});

test.serial('refused: a partition too small for the used data and its margin, with both numbers', async (t) => {
  await refused(t, ['--partition', '2:5'], /lifeboat: \/dev\/loop\d+p5 is too small for the data of loop\d+p2: it needs \d+ bytes \([\d.]+ MiB: [\d.]+ MiB used and the margin\), \/dev\/loop\d+p5 has 41943040 bytes \(40\.0 MiB\)/);
});

test.serial('refused: the target partition is mounted', async (t) => {
  await withMount(target.part(1), (mnt) => refused(t, ['--partition', '1:1'], new RegExp(`lifeboat: ${target.part(1)} is in use \\(${target.part(1)} on ${mnt}\\); unmount it first`)), ['-o', 'ro']);
});

test.serial('refused: the target partition holds the image', async (t) => {
  await withMount(target.part(1), async (mnt) => {
    await mkdir(path.join(mnt, 'images'));
    await execa('cp', ['-a', image, path.join(mnt, 'images', 'copy')]);
  });
  // Mounted read-only, so that reading the image (atime) does not change the disk under the test.
  await withMount(target.part(1), async (mnt) => {
    const before = await fileHash(target.file);
    const r = await lifeboat(['restore', path.join(mnt, 'images', 'copy'), target.device, '--partition', '1:1', '--yes']);
    t.is(r.exitCode, 4, r.stderr);
    t.regex(r.stderr, new RegExp(`${target.part(1)} holds the image itself`));
    t.is(await fileHash(target.file), before);
  }, ['-o', 'ro,noload']);
});

test.serial('a partition the image or the disk does not have: exit 3, one line', async (t) => {
  await refused(t, ['--partition', '7'], /lifeboat: the image has no partition 7/, 3);
  await refused(t, ['--partition', '1:9'], /lifeboat: \/dev\/loop\d+ has no partition 9/, 3);
  await refused(t, ['--partition', 'x'], /lifeboat: --partition x: give a partition number/, 2);
});

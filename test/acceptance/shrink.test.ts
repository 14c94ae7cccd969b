// restore --shrink onto a smaller disk: one backup of an 8 GiB GPT disk (ESP, ext4 ~30% used, swap, xfs ~20% used),
// restored onto 4 GiB (new sizes shown, files and ids kept, filesystems clean) and refused on a disk too small for its data.
import test from 'ava';
import { execa } from 'execa';
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { fingerprint, GUID } from '../helpers/fixtures.js';
import { attach, detach, fileHash, makeSparse, partition, tempDir, withMount, type LoopDisk } from '../helpers/loop.js';
import { leftUnder } from '../helpers/assert.js';
import { treeMeta, writeRichTree } from '../helpers/tree-meta.js';

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

interface Shared {
  dir: string;
  src: LoopDisk;
  image: string;
}
let shared: Shared | undefined;
const extra: LoopDisk[] = [];

test.before(async () => {
  const dir = await tempDir('lifeboat-shrinktest-');
  const file = path.join(dir, 'src.img');
  await makeSparse(file, 8192);
  await partition(file, `label: gpt\nsize=256M, type=${GUID.esp}, name="EFI system"\nsize=3G, type=${GUID.linux}, name="root"\nsize=1G, type=${GUID.swap}, name="swap"\ntype=${GUID.linux}, name="data"\n`);
  const src = await attach(file);
  shared = { dir, src, image: path.join(dir, 'images', 'pc') };
  // The ESP: mkfs.vfat on the partition node and files put in with mtools (the host kernel mounts no vfat).
  await execa('mkfs.vfat', ['-F', '32', '-n', 'ESP', '-i', '1234ABCD', src.part(1)]);
  await writeFile(path.join(dir, 'grubx64.efi'), Buffer.alloc(300 * 1024, 'efi-binary'));
  await execa('mmd', ['-i', src.part(1), '::/EFI', '::/EFI/debian'], { env: { MTOOLS_SKIP_CHECK: '1' } });
  await execa('mcopy', ['-i', src.part(1), path.join(dir, 'grubx64.efi'), '::/EFI/debian/grubx64.efi'], { env: { MTOOLS_SKIP_CHECK: '1' } });
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'root', src.part(2)]);
  await withMount(src.part(2), (m) => writeRichTree(m, 880, 'root'));
  await execa('mkswap', ['-L', 'swap', '-U', '8d5b2a3e-1f4c-4a7e-9c2d-0b1e2f3a4b5c', src.part(3)]);
  await execa('mkfs.xfs', ['-q', '-f', '-L', 'data', src.part(4)]);
  await withMount(src.part(4), (m) => writeRichTree(m, 740, 'data'));
  const r = await lifeboat(['backup', src.device, shared.image]);
  if (r.exitCode !== 0) throw new Error(`backup failed: ${r.stderr}`);
});

test.after.always(async () => {
  for (const d of extra) await d.detach();
  if (shared) {
    await detach(shared.src.device);
    await rm(shared.dir, { recursive: true, force: true });
  }
});

async function target(name: string, mib: number): Promise<LoopDisk> {
  const file = path.join(shared!.dir, name);
  await makeSparse(file, mib);
  // Not zeros at both ends, so a write anywhere near the tables would show.
  await execa('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=2', 'conv=notrunc', 'status=none']);
  await execa('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=2', `seek=${mib - 2}`, 'conv=notrunc', 'status=none']);
  const d = await attach(file);
  extra.push(d);
  return d;
}

const sfdiskJson = async (device: string) => JSON.parse((await execa('sfdisk', ['--json', device])).stdout).partitiontable;
const ids = (b: Record<string, string>) => Object.fromEntries(['TYPE', 'UUID', 'LABEL', 'PART_ENTRY_UUID', 'PART_ENTRY_TYPE', 'PART_ENTRY_NAME', 'PART_ENTRY_NUMBER'].map((k) => [k, b[k]]));

test.serial('onto a 4 GiB disk: the plan shows the new sizes; files, owners, modes, xattrs, ACLs, hard links, UUIDs, labels and GUIDs kept; fsck clean', async (t) => {
  const { src, image, dir } = shared!;
  const small = await target('small.img', 4096);
  const r = await lifeboat(['restore', image, small.device, '--shrink', '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  // The plan, printed before writing: old -> new size of every partition and the way each one is shrunk.
  t.regex(r.stderr, /New layout \(old size -> new size\):/);
  t.regex(r.stderr, /p1 \(vfat\): 256 MiB -> 256 MiB, keeps its size: boot or firmware partition/);
  t.regex(r.stderr, /p2 \(ext4\): 3\.0 GiB -> [\d.]+ [MG]iB, e2fsck -f and resize2fs/);
  t.regex(r.stderr, /p3 \(swap\): 1\.0 GiB -> [\d.]+ MiB, made again by mkswap/);
  t.regex(r.stderr, /p4 \(xfs\): 3\.7 GiB -> [\d.]+ [MG]iB, a new XFS with the same UUID, label and features/);
  t.regex(r.stderr, /Staging: up to [\d.]+ [MG]iB of sparse files in .* \(the store's filesystem/);

  const before = await sfdiskJson(src.device);
  const after = await sfdiskJson(small.device);
  t.is(after.id, before.id, 'the disk GUID');
  for (const [i, p] of before.partitions.entries()) {
    const q = after.partitions[i];
    t.like(q, { type: p.type, uuid: p.uuid, name: p.name }, `partition ${i + 1}: type, GUID and name`);
    t.is(q.start % 2048, 0, 'aligned to 1 MiB');
  }
  t.is(after.partitions[0].size, before.partitions[0].size, 'the ESP keeps its size');
  for (const i of [1, 2, 3]) t.true(after.partitions[i].size < before.partitions[i].size, `partition ${i + 1} shrank`);
  const last = after.partitions[3];
  t.true(last.start + last.size - 1 <= after.lastlba, 'the last partition ends before the GPT backup');
  t.true(after.lastlba > (4096 * MiB) / 512 - 40, 'the GPT backup header is at the end of the 4 GiB disk');

  const want = await fingerprint(src, { skipSizes: true });
  const got = await fingerprint(small, { skipSizes: true });
  for (const n of ['p1', 'p2', 'p3', 'p4']) t.deepEqual(ids(got.partitions[n]!.blkid), ids(want.partitions[n]!.blkid), `${n}: filesystem type, UUID, label; partition GUID, type, name`);
  t.deepEqual(got.partitions['p1']?.files, want.partitions['p1']?.files, 'the ESP files');
  t.is(got.bootCode, want.bootCode);

  for (const [n, opts] of [[2, ['-o', 'ro']], [4, ['-o', 'ro,nouuid,norecovery']]] as const) {
    const a = await withMount(src.part(n), treeMeta, [...opts]);
    const b = await withMount(small.part(n), treeMeta, [...opts]);
    t.deepEqual(b.entries, a.entries, `partition ${n}: every file, its mode, owner, size, content, mtime and hard links`);
    t.is(b.xattrs, a.xattrs, `partition ${n}: xattrs`);
    t.is(b.acls, a.acls, `partition ${n}: ACLs`);
    t.true(b.sparseBlocks! * 512 < MiB, `partition ${n}: the sparse file stays sparse (${b.sparseBlocks} blocks)`);
  }
  const fsck = await execa('e2fsck', ['-f', '-n', small.part(2)], { reject: false });
  t.is(fsck.exitCode, 0, fsck.stdout + fsck.stderr);
  const repair = await execa('xfs_repair', ['-n', small.part(4)], { reject: false });
  t.is(repair.exitCode, 0, repair.stdout + repair.stderr);
  // The staging copies and their loop devices are gone.
  t.deepEqual((await readdir(path.join(dir, 'images'))).filter((e) => e.startsWith('.lifeboat-staging')), []);
  t.deepEqual((await leftUnder(path.join(dir, 'images'))).loops, []);
});

test.serial('too small for the data: refused with the needed and available sizes, the target byte-identical', async (t) => {
  const tiny = await target('tiny.img', 1024);
  const hash = await fileHash(tiny.file);
  const r = await lifeboat(['restore', shared!.image, tiny.device, '--shrink', '--yes']);
  t.is(r.exitCode, 4, r.stderr);
  const m = /too small for the data: the partitions need (\d+) bytes .* has (\d+) bytes/.exec(r.stderr);
  t.truthy(m, r.stderr);
  t.is(Number(m![2]), 1024 * MiB, 'available: the disk size');
  t.true(Number(m![1]) > 2 * GiB && Number(m![1]) < 3 * GiB, `needed: the ESP, the used data plus margins and swap's 64 MiB: between 2 and 3 GiB (${m![1]})`);
  t.is(await fileHash(tiny.file), hash, 'nothing was written');
  // Without --shrink a smaller disk is refused as before, with a hint at --shrink.
  const plain = await lifeboat(['restore', shared!.image, tiny.device, '--yes']);
  t.is(plain.exitCode, 4);
  t.regex(plain.stderr, /too small.*\n?.*--shrink/);
  t.is(await fileHash(tiny.file), hash, 'nothing was written');
});

test.serial('a shrink that fails: the staging file removed, its loop device detached, nothing left mounted', async (t) => {
  const { image, dir } = shared!;
  const small = await target('fails.img', 4096);
  // rsync fails (a stand-in on PATH), so the XFS copy fails with its staging copy attached and mounted.
  const bin = path.join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(path.join(bin, 'rsync'), '#!/bin/sh\necho "rsync: stand-in failure" >&2\nexit 23\n');
  await chmod(path.join(bin, 'rsync'), 0o755);
  // Its own TMPDIR, so that its mount points are told apart from those of tests running beside it.
  const tmp = path.join(dir, 'tmp-fails');
  await mkdir(tmp, { recursive: true });
  const r = await lifeboat(['restore', image, small.device, '--shrink', '--yes'], { env: { PATH: `${bin}:${process.env['PATH']}`, TMPDIR: tmp } });
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /rsync.*exited with code 23/);
  t.deepEqual((await readdir(path.join(dir, 'images'))).filter((e) => e.startsWith('.lifeboat-staging')), [], 'the staging file is gone');
  t.deepEqual((await leftUnder(path.join(dir, 'images'))).loops, [], 'no loop device of a staging file');
  t.deepEqual((await leftUnder(tmp)).mounts, [], 'no staging or target mount left');
  t.deepEqual(await readdir(tmp), [], 'no mount point left');
});

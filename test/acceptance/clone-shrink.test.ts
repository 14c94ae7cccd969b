// Acceptance 6 (clone onto a smaller disk): a 1 GiB GPT disk (ext4 and xfs, partly used) cloned with --shrink onto a
// disk of 60% its size: the plan shows the new sizes, the way and the staging space; every file identical (owners,
// modes, xattrs, ACLs, hard links, sparse files), UUIDs, labels and GUIDs kept, both filesystems clean, the source
// untouched, no staging file, loop device or mount left. Too small for the data: refused with both numbers, the
// target byte-identical.
import test from 'ava';
import { execa } from 'execa';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { GUID } from '../helpers/fixtures.js';
import { attach, fileHash, makeSparse, partition, tempDir, withMount, type LoopDisk } from '../helpers/loop.js';
import { leftUnder } from '../helpers/assert.js';
import { treeMeta, writeRichTree } from '../helpers/tree-meta.js';

const MiB = 1024 * 1024;
const mountOpts = { 2: ['-o', 'ro'], 3: ['-o', 'ro,nouuid,norecovery'] } as const;

let dir: string;
let tmp: string;
let source: LoopDisk;
let sourceHash: string;
/** The source's files and ids, taken before any clone (mounting it, even read-only, may write to it). */
const want: Record<number, Awaited<ReturnType<typeof treeMeta>>> = {};
const wantIds: Record<number, Record<string, string | undefined>> = {};
const attached: LoopDisk[] = [];
/** The clone's trees, for the check of ext4 directory mtimes. */
const cloned: Record<number, Awaited<ReturnType<typeof treeMeta>>> = {};

async function ids(device: string): Promise<Record<string, string | undefined>> {
  const b = Object.fromEntries(
    (await execa('blkid', ['-p', '-o', 'export', device])).stdout
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return Object.fromEntries(['TYPE', 'UUID', 'LABEL', 'PART_ENTRY_UUID', 'PART_ENTRY_TYPE', 'PART_ENTRY_NAME'].map((k) => [k, b[k]]));
}

test.before(async () => {
  dir = await tempDir('lifeboat-cloneshrink-');
  tmp = path.join(dir, 'tmp');
  await mkdir(tmp);
  const file = path.join(dir, 'source.img');
  await makeSparse(file, 1024);
  await partition(file, `label: gpt\nsize=16M, type=${GUID.biosBoot}, name="bios"\nsize=400M, type=${GUID.linux}, name="root"\ntype=${GUID.linux}, name="data"\n`);
  source = await attach(file);
  attached.push(source);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'root', source.part(2)]);
  await withMount(source.part(2), (m) => writeRichTree(m, 120, 'root'));
  await execa('mkfs.xfs', ['-q', '-f', '-L', 'data', source.part(3)]);
  await withMount(source.part(3), (m) => writeRichTree(m, 100, 'data'));
  for (const n of [2, 3] as const) {
    want[n] = await withMount(source.part(n), treeMeta, [...mountOpts[n]]);
    wantIds[n] = await ids(source.part(n));
  }
  sourceHash = await fileHash(source.file);
});

test.after.always(async () => {
  for (const d of attached) await d.detach();
  await rm(dir, { recursive: true, force: true });
});

async function target(name: string, mib: number): Promise<LoopDisk> {
  const file = path.join(dir, name);
  await makeSparse(file, mib);
  await execa('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=2', 'conv=notrunc', 'status=none']);
  const d = await attach(file);
  attached.push(d);
  return d;
}

const sfdiskJson = async (device: string) => JSON.parse((await execa('sfdisk', ['--json', device])).stdout).partitiontable;
const env = () => ({ TMPDIR: tmp });

test.serial('onto a disk of 60% the size with --shrink: new sizes planned and shown, files and ids kept, fsck clean, the source untouched', async (t) => {
  const small = await target('small.img', 614);
  const r = await lifeboat(['clone', source.device, small.device, '--shrink', '--yes'], { env: env() });
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /New layout \(old size -> new size\):/);
  t.regex(r.stderr, /p1 \(unknown\): 16\.0 MiB -> 16\.0 MiB, keeps its size: boot or firmware partition/);
  t.regex(r.stderr, /p2 \(ext4\): 400 MiB -> [\d.]+ MiB, e2fsck -f and resize2fs on a staging copy/);
  t.regex(r.stderr, /p3 \(xfs\): [\d.]+ MiB -> [\d.]+ MiB, a new XFS with the same UUID, label and features/);
  t.regex(r.stderr, /Staging: up to [\d.]+ MiB of sparse files in .*\/tmp \(the temporary directory/);

  const before = await sfdiskJson(source.device);
  const after = await sfdiskJson(small.device);
  t.is(after.id, before.id, 'the disk GUID');
  for (const [i, p] of before.partitions.entries()) t.like(after.partitions[i], { type: p.type, uuid: p.uuid, name: p.name }, `partition ${i + 1}: type, GUID, name`);
  t.is(after.partitions[0].size, before.partitions[0].size, 'the BIOS boot partition keeps its size');
  for (const i of [1, 2]) t.true(after.partitions[i].size < before.partitions[i].size, `partition ${i + 1} shrank`);

  for (const n of [2, 3] as const) {
    t.deepEqual(await ids(small.part(n)), wantIds[n], `p${n}: filesystem type, UUID, label; partition GUID, type, name`);
    const got = await withMount(small.part(n), treeMeta, [...mountOpts[n]]);
    cloned[n] = got;
    // Directory mtimes of the ext4 (which resize2fs changes and the shrink puts back) have their own test below.
    const noDirTimes = (e: Record<string, string>) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v.startsWith('dir ') ? v.replace(/ mtime=\d+/, '') : v]));
    t.deepEqual(noDirTimes(got.entries), noDirTimes(want[n]!.entries), `p${n}: every file, mode, owner, size, content, mtime, hard links`);
    if (n === 3) t.deepEqual(got.entries, want[n]!.entries, 'p3 (xfs, a file copy): directory mtimes too');
    t.is(got.xattrs, want[n]!.xattrs, `p${n}: xattrs`);
    t.is(got.acls, want[n]!.acls, `p${n}: ACLs`);
    t.true(got.sparseBlocks! * 512 < MiB, `p${n}: the sparse file stays sparse`);
  }
  const fsck = await execa('e2fsck', ['-f', '-n', small.part(2)], { reject: false });
  t.is(fsck.exitCode, 0, fsck.stdout + fsck.stderr);
  const repair = await execa('xfs_repair', ['-n', small.part(3)], { reject: false });
  t.is(repair.exitCode, 0, repair.stdout + repair.stderr);
  t.is(await fileHash(source.file), sourceHash, 'the source is untouched');
  t.deepEqual(await readdir(tmp), [], 'no staging file left');
  const left = await leftUnder(tmp);
  t.deepEqual(left.loops, [], 'no loop device of a staging file');
  t.deepEqual(left.mounts, [], 'nothing left mounted');
});

test.serial('too small for the data: refused with the needed and available bytes, the target byte-identical', async (t) => {
  const tiny = await target('tiny.img', 300);
  const hash = await fileHash(tiny.file);
  const r = await lifeboat(['clone', source.device, tiny.device, '--shrink', '--yes'], { env: env() });
  t.is(r.exitCode, 4, r.stderr);
  const m = /too small for the data: the partitions need (\d+) bytes .* has (\d+) bytes/.exec(r.stderr);
  t.truthy(m, r.stderr);
  t.is(Number(m![2]), 300 * MiB, 'available: the disk size');
  t.true(Number(m![1]) > 300 * MiB && Number(m![1]) < 614 * MiB, `needed: more than the disk, less than the target that worked (${m![1]})`);
  t.is(await fileHash(tiny.file), hash, 'nothing was written');
  // Without --shrink a smaller disk is refused, pointing to --shrink.
  const small = await target('plain.img', 614);
  const smallHash = await fileHash(small.file);
  const plain = await lifeboat(['clone', source.device, small.device, '--yes'], { env: env() });
  t.is(plain.exitCode, 4, plain.stderr);
  t.regex(plain.stderr, /--shrink/);
  t.is(await fileHash(small.file), smallHash, 'nothing was written');
  t.is(await fileHash(source.file), sourceHash, 'the source is untouched');
});

// resize2fs moves the inodes of the cut block groups and sets the mtime of each directory whose entries it rewrote;
// the ext shrink way puts those times back (imager/fs/shrink.ts keepingDirectoryTimes).
test.serial('ext4 directory mtimes are kept across the shrink', (t) => {
  t.truthy(cloned[2], 'the clone above ran');
  t.deepEqual(cloned[2]!.entries, want[2]!.entries);
});

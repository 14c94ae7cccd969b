// Acceptance: Clonezilla both ways. An image made by `ocs-sr savedisk` of a test disk is restored by Lifeboat, and an
// image made by Lifeboat is restored by `ocs-sr restoredisk`; the restored disks' files are identical to the source.
// Runs Debian's real Clonezilla (clonezilla + drbl packages) with the shims of test/fixtures/clonezilla-shim first on
// PATH (this host's kernel does not scan partition tables; see test/helpers/clonezilla.ts). Needs root and loop devices.
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jsonLines, lifeboat } from '../helpers/cli.js';
import { haveOcsSr, ocsCheckImage, ocsRestoreDisk, ocsSaveDisk } from '../helpers/clonezilla.js';
import { fingerprint, makeGptSource, makeMbrSource } from '../helpers/fixtures.js';
import { attach, makeSparse, type LoopDisk } from '../helpers/loop.js';

const SECTOR = 512;
const MBR_FIRST_START = 2048; // makeMbrSource's first partition starts here: sectors 1..2047 are the hidden data area

const work = await mkdtemp(path.join(os.tmpdir(), 'lifeboat-clonezilla-'));
/** Loop disks attached by this file and not yet detached: a test that dies without its teardown leaves them here. */
const attached = new Set<LoopDisk>();
/** The Clonezilla image of test (a), damaged on purpose in test (d). */
let clonezillaGptImage: string | undefined;

test.after.always(async () => {
  for (const d of [...attached]) {
    await d.detach();
    attached.delete(d);
  }
  await rm(work, { recursive: true, force: true });
});

test.before(async (t) => {
  if (!(await haveOcsSr())) t.fail('Clonezilla is not installed: /usr/sbin/ocs-sr is missing (scripts/setup installs the clonezilla and drbl packages)');
});

interface Ctx {
  dir: string;
  repo: string;
  shimLog: string;
  track(d: LoopDisk): LoopDisk;
}

/** A directory for one test, with its loop disks detached and its files removed when the test ends, passed or not. */
async function setUp(t: ExecutionContext, name: string): Promise<Ctx> {
  const dir = path.join(work, name);
  await mkdir(dir, { recursive: true });
  const mine: LoopDisk[] = [];
  t.teardown(async () => {
    for (const d of mine.reverse()) {
      await d.detach();
      attached.delete(d);
    }
    // The repository (images) stays until the end of the file: test (d) reuses the image of test (a).
    for (const f of await readdir(dir)) if (f !== 'repo') await rm(path.join(dir, f), { recursive: true, force: true });
  });
  return {
    dir,
    repo: path.join(dir, 'repo'),
    shimLog: path.join(dir, 'shim.log'),
    track: (d) => {
      mine.push(d);
      attached.add(d);
      return d;
    },
  };
}

function uniqueName(prefix: string): string {
  // ocs-sr restores onto another disk name through /tmp/<image>-tmp-cnvted: names must not collide between runs.
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

async function blankDisk(ctx: Ctx, file: string, mib: number): Promise<LoopDisk> {
  await makeSparse(path.join(ctx.dir, file), mib);
  return ctx.track(await attach(path.join(ctx.dir, file)));
}

async function readDevice(device: string, offset: number, length: number): Promise<Buffer> {
  const fh = await open(device, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function writeDevice(device: string, offset: number, data: Buffer): Promise<void> {
  const fh = await open(device, 'r+');
  try {
    await fh.write(data, 0, data.length, offset);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Markers in the first and last sector of the MBR disk's hidden data area, so that carrying it over is observable. */
async function markHiddenArea(disk: LoopDisk): Promise<void> {
  await writeDevice(disk.device, 1 * SECTOR, Buffer.from('LIFEBOAT-HIDDEN-SECTOR-1-MARKER'));
  await writeDevice(disk.device, (MBR_FIRST_START - 1) * SECTOR, Buffer.from('LIFEBOAT-HIDDEN-SECTOR-2047-MARKER'));
}

async function hiddenAreaHash(disk: LoopDisk): Promise<string> {
  const data = await readDevice(disk.device, SECTOR, (MBR_FIRST_START - 1) * SECTOR);
  return createHash('sha256').update(data).digest('hex');
}

/** The restored disk reproduces the source: table (ids, GUIDs, types, names, starts, sizes), boot code, fs ids, every file, raw data. */
async function assertSameDisk(t: ExecutionContext, source: LoopDisk, target: LoopDisk): Promise<void> {
  const want = await fingerprint(source);
  const got = await fingerprint(target);
  t.deepEqual(got.table, want.table, 'partition table: ids, GUIDs, types, names, starts and sizes');
  t.is(got.bootCode, want.bootCode, 'MBR boot code');
  t.deepEqual(Object.keys(got.partitions), Object.keys(want.partitions));
  for (const [node, p] of Object.entries(want.partitions)) {
    t.deepEqual(got.partitions[node]?.blkid, p.blkid, `${node}: filesystem type, UUID, label, partition entry`);
    t.deepEqual(got.partitions[node]?.files, p.files, `${node}: every file's content`);
    t.is(got.partitions[node]?.raw, p.raw, `${node}: raw content`);
  }
  const files = Object.values(want.partitions).reduce((n, p) => n + Object.keys(p.files ?? {}).length, 0);
  t.log(`compared ${Object.keys(want.partitions).length} partitions, ${files} files`);
}

/** A GPT on a larger disk: valid, with its backup header moved to the new end. */
async function assertGptAtEnd(t: ExecutionContext, target: LoopDisk, mib: number): Promise<void> {
  const { stdout } = await execa('sfdisk', ['--json', target.device]);
  t.is(JSON.parse(stdout).partitiontable.lastlba, (mib * 1024 * 1024) / SECTOR - 34, 'last usable LBA of the larger disk');
  const v = await execa('sgdisk', ['-v', target.device]);
  t.regex(v.stdout, /No problems found/);
}

function secs(s: number): string {
  return `${s.toFixed(1)} s`;
}

// ---------------------------------------------------------------------------------------------------------------
// Clonezilla → Lifeboat

test.serial('(a) ocs-sr savedisk of a GPT disk (zstd: ESP FAT32, ext4, xfs, NTFS, swap, raw) is verified, described and restored by Lifeboat onto a larger disk', async (t) => {
  const ctx = await setUp(t, 'a');
  const source = ctx.track((await makeGptSource(path.join(ctx.dir, 'source.img'))).disk);
  const name = uniqueName('cz-gpt');
  const save = await ocsSaveDisk(ctx.repo, name, source.name, { compress: 'zstd', shimLog: ctx.shimLog });
  t.log(`ocs-sr savedisk ${name} ${source.name} (-z9p -i 0): ${secs(save.seconds)}`);
  const image = path.join(ctx.repo, name);

  // What Clonezilla wrote: one zstd file per partition (no split, so no .aa), swap as info only, no manifest.
  const s = source.name;
  const files = await readdir(image);
  t.deepEqual(
    files.filter((f) => f.includes('-ptcl-img')).sort(),
    [`${s}p1.vfat-ptcl-img.zst`, `${s}p2.ext4-ptcl-img.zst`, `${s}p3.xfs-ptcl-img.zst`, `${s}p4.ntfs-ptcl-img.zst`, `${s}p6.dd-ptcl-img.zst`],
    'Clonezilla images every partition but swap, the unformatted one with partclone.dd',
  );
  for (const f of ['clonezilla-img', 'disk', 'parts', `${s}-pt.sf`, `${s}-pt.parted`, `${s}-mbr`, `${s}-gpt-1st`, `${s}-gpt-2nd`, `swappt-${s}p5.info`]) t.true(files.includes(f), f);
  t.false(files.includes('lifeboat.json'));

  // lifeboat verify: no manifest, so partclone.chkimg of every partition image.
  const verify = await lifeboat(['verify', image, '--json']);
  t.is(verify.exitCode, 0, verify.stderr);
  const report = jsonLines(verify.stdout).find((e) => e['type'] === 'result');
  t.is(report?.['origin'], 'clonezilla');
  t.is(report?.['ok'], true);
  t.is(report?.['checkedPartitions'], 5);

  // lifeboat info: a Clonezilla image, and what it holds.
  const info = await lifeboat(['info', image, '--json']);
  t.is(info.exitCode, 0, info.stderr);
  const summary = JSON.parse(info.stdout);
  t.is(summary.origin, 'clonezilla');
  t.is(summary.compression.codec, 'zstd');
  t.is(summary.table.type, 'gpt');
  t.is(summary.table.id, '5E1F1B0A-7D7C-4E65-9A9B-1234567890AB');
  t.deepEqual(
    summary.partitions.map((p: { number: number; action: string; fs: string }) => [p.number, p.action, p.fs]),
    [
      [1, 'partclone', 'vfat'],
      [2, 'partclone', 'ext4'],
      [3, 'partclone', 'xfs'],
      [4, 'partclone', 'ntfs'],
      [5, 'swap', 'swap'],
      [6, 'raw', 'dd'],
    ],
  );

  // lifeboat restore onto a blank, larger disk.
  const target = await blankDisk(ctx, 'target.img', 1000);
  const restore = await lifeboat(['restore', image, target.device, '--yes', '--json']);
  t.is(restore.exitCode, 0, restore.stderr);
  t.truthy(jsonLines(restore.stdout).find((e) => e['type'] === 'done'));
  await assertSameDisk(t, source, target);
  await assertGptAtEnd(t, target, 1000);
  clonezillaGptImage = image;
});

test.serial('(b) ocs-sr savedisk of an MBR disk (gzip, split into .aa .ab …; extended, logical, NTFS, swap, hidden data) is verified and restored by Lifeboat', async (t) => {
  const ctx = await setUp(t, 'b');
  const source = ctx.track((await makeMbrSource(path.join(ctx.dir, 'source.img'))).disk);
  await markHiddenArea(source);
  const name = uniqueName('cz-mbr');
  // -i 1: pieces of 1 MB (10^6 bytes); each partition image is 3 to 4 MB, so each has .aa, .ab, .ac, .ad.
  const save = await ocsSaveDisk(ctx.repo, name, source.name, { compress: 'gzip', split: 1, shimLog: ctx.shimLog });
  t.log(`ocs-sr savedisk ${name} ${source.name} (-z1p -i 1): ${secs(save.seconds)}`);
  const image = path.join(ctx.repo, name);

  const s = source.name;
  const files = await readdir(image);
  for (const [n, fs] of [
    [1, 'ext4'],
    [5, 'ext4'],
    [6, 'ntfs'],
  ] as const) {
    const pieces = files.filter((f) => f.startsWith(`${s}p${n}.${fs}-ptcl-img.gz.`)).sort();
    t.true(pieces.length >= 2, `${s}p${n} is split: ${pieces.join(' ')}`);
    t.is(pieces[0], `${s}p${n}.${fs}-ptcl-img.gz.aa`);
    t.is(pieces[1], `${s}p${n}.${fs}-ptcl-img.gz.ab`);
  }
  for (const f of [`${s}-hidden-data-after-mbr`, `${s}p2-ebr`, `swappt-${s}p7.info`, `${s}-mbr`]) t.true(files.includes(f), f);

  const verify = await lifeboat(['verify', image]);
  t.is(verify.exitCode, 0, verify.stderr);
  t.regex(verify.stdout, /OK \(clonezilla image/);

  const info = await lifeboat(['info', image, '--json']);
  t.is(info.exitCode, 0, info.stderr);
  const summary = JSON.parse(info.stdout);
  t.is(summary.origin, 'clonezilla');
  t.is(summary.compression.codec, 'gzip');
  t.is(summary.table.type, 'dos');
  t.true(summary.bootRecords.hiddenDataAfterMbr);
  t.deepEqual(
    summary.partitions.map((p: { number: number; action: string; fs: string | undefined }) => [p.number, p.action, p.fs ?? null]),
    [
      [1, 'partclone', 'ext4'],
      [2, 'extended', null],
      [5, 'partclone', 'ext4'],
      [6, 'partclone', 'ntfs'],
      [7, 'swap', 'swap'],
    ],
  );
  for (const p of summary.partitions.filter((p: { action: string }) => p.action === 'partclone')) t.true(p.files >= 2, `partition ${p.number} has ${p.files} pieces`);

  const target = await blankDisk(ctx, 'target.img', 600);
  const restore = await lifeboat(['restore', image, target.device, '--yes', '--json']);
  t.is(restore.exitCode, 0, restore.stderr);
  await assertSameDisk(t, source, target);
  t.is(await hiddenAreaHash(target), await hiddenAreaHash(source), 'sectors 1..2047 (hidden data after the MBR)');
});

// ---------------------------------------------------------------------------------------------------------------
// Lifeboat → Clonezilla

test.serial('(c) lifeboat backup of a GPT disk (zstd) is checked by ocs-chkimg and restored by ocs-sr restoredisk onto a larger disk', async (t) => {
  const ctx = await setUp(t, 'c');
  const source = ctx.track((await makeGptSource(path.join(ctx.dir, 'source.img'))).disk);
  const name = uniqueName('lb-gpt');
  const image = path.join(ctx.repo, name); // inside the repository that ocs-sr gets as -or
  const backup = await lifeboat(['backup', source.device, image, '--json']);
  t.is(backup.exitCode, 0, backup.stderr);

  const check = await ocsCheckImage(ctx.repo, name, { shimLog: ctx.shimLog });
  t.log(`ocs-chkimg ${name}: ${secs(check.seconds)}`);
  t.regex(check.output, /The image of this partition is restorable: \w+p4/, 'NTFS');

  const target = await blankDisk(ctx, 'target.img', 1000);
  t.not(target.name, source.name);
  const restore = await ocsRestoreDisk(ctx.repo, name, target.name, { shimLog: ctx.shimLog });
  t.log(`ocs-sr restoredisk ${name} ${target.name}: ${secs(restore.seconds)}`);
  t.regex(restore.output, new RegExp(`mkswap -L lbswap -U cccccccc-1111-4222-8333-444444444444 /dev/${target.name}p5`), 'swap from swappt-*.info');
  await assertSameDisk(t, source, target);
  await assertGptAtEnd(t, target, 1000);
});

test.serial('(c) lifeboat backup of an MBR disk (xz, split) is checked by ocs-chkimg and restored by ocs-sr restoredisk, hidden data and EBR included', async (t) => {
  const ctx = await setUp(t, 'c-mbr');
  const source = ctx.track((await makeMbrSource(path.join(ctx.dir, 'source.img'))).disk);
  await markHiddenArea(source);
  const name = uniqueName('lb-mbr');
  const image = path.join(ctx.repo, name);
  const backup = await lifeboat(['backup', source.device, image, '--compress', 'xz', '--split', '1M', '--json']);
  t.is(backup.exitCode, 0, backup.stderr);
  const files = await readdir(image);
  t.true(files.includes(`${source.name}p1.ext4-ptcl-img.xz.ab`), 'split into pieces');

  const check = await ocsCheckImage(ctx.repo, name, { shimLog: ctx.shimLog });
  t.log(`ocs-chkimg ${name}: ${secs(check.seconds)}`);

  const target = await blankDisk(ctx, 'target.img', 600);
  t.not(target.name, source.name);
  const restore = await ocsRestoreDisk(ctx.repo, name, target.name, { shimLog: ctx.shimLog });
  t.log(`ocs-sr restoredisk ${name} ${target.name}: ${secs(restore.seconds)}`);
  t.regex(restore.output, /Restoring the hidden data between MBR/);
  t.regex(restore.output, new RegExp(`ocs-restore-ebr .* ${target.name}p2`), 'EBR from <part>-ebr');
  await assertSameDisk(t, source, target);
  t.is(await hiddenAreaHash(target), await hiddenAreaHash(source), 'sectors 1..2047 (hidden data after the MBR)');
});

// ---------------------------------------------------------------------------------------------------------------
// Damage

test.serial('(d) lifeboat verify of a Clonezilla image with one byte flipped in a partition image fails with exit code 5 and names the file', async (t) => {
  if (!clonezillaGptImage) {
    t.fail('needs the Clonezilla image made by test (a), which failed');
    return;
  }
  const ctx = await setUp(t, 'd');
  const file = (await readdir(clonezillaGptImage)).find((f) => /p2\.ext4-ptcl-img\.zst$/.test(f))!;

  // 1. A byte flipped in the compressed file.
  const damaged = path.join(ctx.repo, 'damaged-zst');
  await mkdir(ctx.repo, { recursive: true });
  await execa('cp', ['-a', clonezillaGptImage, damaged]);
  const bytes = await readFile(path.join(damaged, file));
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0xff;
  await writeFile(path.join(damaged, file), bytes);
  const r1 = await lifeboat(['verify', damaged]);
  t.is(r1.exitCode, 5, r1.stderr);
  t.true(r1.stderr.includes(file), r1.stderr);

  // 2. A byte flipped in the partclone data, the compression intact: only partclone.chkimg's CRC32 can see it.
  const inner = path.join(ctx.repo, 'damaged-data');
  await execa('cp', ['-a', clonezillaGptImage, inner]);
  const raw = (await execa('zstd', ['-q', '-d', '-c', path.join(inner, file)], { encoding: 'buffer' })).stdout as Uint8Array;
  const data = Buffer.from(raw);
  const mid = Math.floor(data.length / 2);
  data[mid] = data[mid]! ^ 0x01;
  await execa('zstd', ['-q', '-f', '-3', '-o', path.join(inner, file)], { input: data });
  await execa('zstd', ['-q', '-t', path.join(inner, file)]); // decompresses cleanly
  const r2 = await lifeboat(['verify', inner, '--json']);
  t.is(r2.exitCode, 5, r2.stderr);
  const error = jsonLines(r2.stdout).find((e) => e['type'] === 'error');
  t.is(error?.['file'], file);
  t.true(r2.stderr.includes(file), r2.stderr);
  const report = jsonLines(r2.stdout).find((e) => e['type'] === 'result');
  t.deepEqual((report?.['problems'] as Array<{ file: string }>).map((p) => p.file), [file], 'only the damaged file is named');
});

test.serial('(e) ocs-sr savedisk of a GPT disk restored by Lifeboat onto a smaller disk with --shrink: used bytes from the partclone headers, every file and id kept', async (t) => {
  const ctx = await setUp(t, 'e');
  const source = ctx.track((await makeGptSource(path.join(ctx.dir, 'source.img'))).disk);
  const name = uniqueName('cz-shrink');
  await ocsSaveDisk(ctx.repo, name, source.name, { compress: 'zstd', shimLog: ctx.shimLog });
  const image = path.join(ctx.repo, name);
  // 712 MiB of partitions on a 650 MiB disk (the plan needs about 602 MiB): the ext4 and NTFS partitions give up space.
  const target = await blankDisk(ctx, 'small.img', 650);
  const r = await lifeboat(['restore', image, target.device, '--shrink', '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /p2 \(ext4\): 200 MiB -> \d+ MiB, e2fsck -f and resize2fs/);
  t.regex(r.stderr, /p4 \(ntfs\): 100 MiB -> [\d.]+ MiB, ntfsresize on a staging copy/);
  t.regex(r.stderr, /p1 \(vfat\): 64\.0 MiB -> 64\.0 MiB, keeps its size: boot or firmware partition/);
  const want = await fingerprint(source, { skipSizes: true });
  const got = await fingerprint(target, { skipSizes: true });
  // The partitions moved: compare what names them, not their offsets.
  const ids = (b: Record<string, string> | undefined) => Object.fromEntries(['TYPE', 'UUID', 'LABEL', 'PART_ENTRY_UUID', 'PART_ENTRY_TYPE', 'PART_ENTRY_NAME', 'PART_ENTRY_NUMBER'].map((k) => [k, b?.[k]]));
  t.deepEqual(Object.keys(got.partitions), Object.keys(want.partitions));
  for (const [node, p] of Object.entries(want.partitions)) {
    t.deepEqual(ids(got.partitions[node]?.blkid), ids(p.blkid), `${node}: filesystem type, UUID, label, partition entry`);
    t.deepEqual(got.partitions[node]?.files, p.files, `${node}: every file`);
  }
  const fsck = await execa('e2fsck', ['-f', '-n', target.part(2)], { reject: false });
  t.is(fsck.exitCode, 0, fsck.stdout);
  const xfs = await execa('xfs_repair', ['-n', target.part(3)], { reject: false });
  t.is(xfs.exitCode, 0, xfs.stderr);
});

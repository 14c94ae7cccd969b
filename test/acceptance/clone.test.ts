// Acceptance 6 (clone): the GPT test disk cloned onto a larger disk with --grow: files, UUIDs, labels and GUIDs
// identical, every filesystem checked, the source untouched; the refusals (target mounted, the source itself, too
// small, smaller without --shrink: clone-shrink.test.ts has --shrink) with exit 4, one line, and the target untouched. One source for every case.
import test from 'ava';
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { jsonLines, lifeboat } from '../helpers/cli.js';
import { fingerprint, makeGptSource, makeMbrSource } from '../helpers/fixtures.js';
import { attach, fileHash, makeSparse, partition, tempDir, withMount, type LoopDisk } from '../helpers/loop.js';

let dir: string;
let source: LoopDisk;
let sourceHash: string;
/** The source's files and ids, taken once before any clone (mounting it, even read-only, may write to it). */
let want: Awaited<ReturnType<typeof fingerprint>>;
const attached: LoopDisk[] = [];

test.before(async () => {
  dir = await tempDir();
  source = (await makeGptSource(path.join(dir, 'source.img'))).disk;
  attached.push(source);
  want = await fingerprint(source, { skipSizes: true });
  sourceHash = await fileHash(source.file);
});

test.after.always(async () => {
  for (const d of attached) await d.detach();
  await rm(dir, { recursive: true, force: true });
});

async function blankDisk(name: string, mib: number): Promise<LoopDisk> {
  const file = path.join(dir, name);
  await makeSparse(file, mib);
  const d = await attach(file);
  attached.push(d);
  return d;
}

async function table(device: string) {
  return JSON.parse((await execa('sfdisk', ['--json', device])).stdout).partitiontable;
}

/** A refusal: exit 4, one `lifeboat:` line saying why, the target's bytes and the source's as they were. */
async function refused(t: import('ava').ExecutionContext, target: LoopDisk, args: string[], why: RegExp): Promise<void> {
  const before = await fileHash(target.file);
  const r = await lifeboat(['clone', ...args, '--yes']);
  t.is(r.exitCode, 4, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('lifeboat: '));
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0]!, why);
  t.is(await fileHash(target.file), before, 'the target is untouched');
  t.is(await fileHash(source.file), sourceHash, 'the source is untouched');
}

test.serial('the GPT disk cloned onto a larger disk with --grow: files and ids identical, checked, the source untouched', async (t) => {
  const big = await blankDisk('big.img', 1024);
  const r = await lifeboat(['clone', source.device, big.device, '--grow', '--yes', '--json']);
  t.is(r.exitCode, 0, r.stderr);
  const events = jsonLines(r.stdout);
  const result = events.find((e) => e['type'] === 'result') as { steps: string[] } | undefined;
  t.truthy(result, r.stdout);
  // Every filesystem partclone copied was checked by its own tool after the copy (and the grow).
  for (const fs of ['vfat', 'ext4', 'xfs', 'ntfs']) t.true(result!.steps.some((s) => s.startsWith(`check the ${fs} filesystem`)), `${fs} checked: ${result!.steps.join('; ')}`);
  t.true(events.some((e) => e['type'] === 'progress' && e['job'] === 'clone'), 'progress events');
  t.is(await fileHash(source.file), sourceHash, 'the source is byte-identical');
  t.is((await execa('blockdev', ['--getro', source.device])).stdout.trim(), '0', 'the source is read-write again after the job');

  const got = await fingerprint(big, { skipSizes: true });
  t.is((got.table as { id: string }).id, (want.table as { id: string }).id, 'the disk GUID is kept');
  t.deepEqual(got.bootCode, want.bootCode);
  for (const p of ['p1', 'p2', 'p3', 'p4', 'p5']) t.deepEqual(got.partitions[p], want.partitions[p], `${p}: files, UUID, label, partition GUID, type and name`);
  // The last partition (raw, 16 MiB) grew to the disk's end: its first 16 MiB are the source's.
  const head = async (dev: string) => (await execa('sh', ['-c', `head -c ${16 * 1024 * 1024} ${dev} | sha256sum`])).stdout;
  t.is(await head(big.part(6)), await head(source.part(6)));
  const tb = await table(big.device);
  const last = tb.partitions[5];
  t.true(last.start + last.size - 1 > tb.lastlba - 2048, 'the last partition reaches the end of the disk');
  // The copies are clean by their own tools (the job checked them too; this is the test's own look).
  await t.notThrowsAsync(execa('e2fsck', ['-f', '-n', big.part(2)]));
  await t.notThrowsAsync(execa('xfs_repair', ['-n', big.part(3)]));
});

test.serial('an MBR disk (logical partitions, boot code in the MBR and the EBR) onto a disk of its size: identical', async (t) => {
  const mbr = (await makeMbrSource(path.join(dir, 'mbr.img'))).disk;
  attached.push(mbr);
  // Something in the hidden sectors (where GRUB's core image lives on a BIOS disk), so that copying them shows.
  await execa('dd', ['if=/dev/urandom', `of=${mbr.device}`, 'bs=512', 'seek=1', 'count=2047', 'conv=fsync', 'status=none']);
  const wantMbr = await fingerprint(mbr);
  const hidden = async (dev: string) => (await execa('sh', ['-c', `head -c ${2048 * 512} ${dev} | tail -c +513 | sha256sum`])).stdout;
  const wantHidden = await hidden(mbr.device);
  const same = await blankDisk('mbr-copy.img', 400);
  const r = await lifeboat(['clone', mbr.device, same.device, '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(await fingerprint(same), wantMbr, 'table, disk signature, boot code, EBR boot code, files, UUIDs and labels');
  t.is(await hidden(same.device), wantHidden, 'the hidden data between the MBR and the first partition');
});

test.serial('--dry-run prints the plan and changes nothing on either disk', async (t) => {
  const target = await blankDisk('dry.img', 900);
  const before = await fileHash(target.file);
  const r = await lifeboat(['clone', source.device, target.device, '--dry-run']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /write the gpt partition table \(6 partitions\)/);
  t.regex(r.stdout, /copy \/dev\/loop\d+p2 to \/dev\/loop\d+p2 \(ext4 with partclone/);
  t.regex(r.stdout, /check the xfs filesystem/);
  t.is(await fileHash(target.file), before);
  t.is(await fileHash(source.file), sourceHash);
});

test.serial('refused: the target is mounted', async (t) => {
  const d = await blankDisk('mounted.img', 1024);
  await partition(d.file, 'label: dos\ntype=83\n');
  await execa('partx', ['-a', d.device], { reject: false });
  await execa('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', d.part(1)]);
  await withMount(d.part(1), (mnt) => refused(t, d, [source.device, d.device], new RegExp(`${d.device} is in use \\(${d.part(1)} on ${mnt}\\); unmount it first`)), ['-o', 'ro']);
});

test.serial('refused: the target is the source', async (t) => {
  await refused(t, source, [source.device, source.device], new RegExp(`${source.device} is the source disk itself`));
});

test.serial('refused: the target is too small for the data', async (t) => {
  const d = await blankDisk('tiny.img', 100);
  await refused(t, d, [source.device, d.device], /is too small: 104857600 bytes, \/dev\/loop\d+ needs \d+ bytes/);
});

test.serial('refused without --shrink: a smaller target that the used data would fit', async (t) => {
  const d = await blankDisk('smaller.img', 600);
  await refused(t, d, [source.device, d.device], /is smaller than \/dev\/loop\d+: 629145600 bytes, the partitions need \d+ bytes \(\d+ bytes used\)/);
});

test.serial('without --yes and without a terminal to ask, nothing is written', async (t) => {
  const d = await blankDisk('unconfirmed.img', 900);
  const before = await fileHash(d.file);
  const r = await lifeboat(['clone', source.device, d.device]);
  t.is(r.exitCode, 4);
  t.regex(r.stderr, /not confirmed: nothing was written/);
  t.is(await fileHash(d.file), before);
});

// The ISO comparison's own parts: block ranges of two files, xorriso's extent report, and what a range holds.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compareFiles, describeRanges, parseReportLba } from './iso-compare.js';

const report = `Report layout: xt , Startlba ,   Blocks , Filesize , ISO image path
File data lba:  0 ,      153 ,        1 ,       37 , '/.disk/info'
File data lba:  0 ,       67 ,       86 ,   175456 , '/boot/grub/bios.img'
File data lba:  0 ,      155 ,   105192 , 215433216 , '/live/filesystem.squashfs'`;

test('xorriso report_lba: each file with its first block and length, in block order', (t) => {
  t.deepEqual(parseReportLba(report), [
    { path: '/boot/grub/bios.img', startLba: 67, blocks: 86 },
    { path: '/.disk/info', startLba: 153, blocks: 1 },
    { path: '/live/filesystem.squashfs', startLba: 155, blocks: 105192 },
  ]);
});

test('differing ranges are named by the files they fall in, or as metadata and system area', (t) => {
  t.deepEqual(describeRanges([[0, 0], [16, 18], [155, 155], [300, 310]], parseReportLba(report)), [
    'the system area (MBR, GPT, hybrid boot records)',
    'ISO 9660 metadata (volume descriptors, path tables, directory records, El Torito catalog)',
    '/live/filesystem.squashfs: 12 blocks from its byte 0',
  ]);
});

test('compareFiles: the first differing byte and the differing 2048-byte blocks, also past the shorter end', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-iso-compare-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const a = Buffer.alloc(10 * 2048, 1);
  const b = Buffer.from(a);
  b[2 * 2048 + 5] = 9;
  b[3 * 2048] = 9;
  b[7 * 2048 + 1] = 9;
  await writeFile(path.join(dir, 'a'), a);
  await writeFile(path.join(dir, 'b'), b);
  await writeFile(path.join(dir, 'c'), Buffer.concat([a, Buffer.alloc(100)]));
  t.deepEqual(await compareFiles(path.join(dir, 'a'), path.join(dir, 'a')), { identical: true, firstOffset: undefined, sizes: [a.length, a.length], ranges: [] });
  const d = await compareFiles(path.join(dir, 'a'), path.join(dir, 'b'));
  t.is(d.firstOffset, 2 * 2048 + 5);
  t.deepEqual(d.ranges, [[2, 3], [7, 7]]);
  const e = await compareFiles(path.join(dir, 'a'), path.join(dir, 'c'));
  t.is(e.firstOffset, a.length);
  t.deepEqual(e.ranges, [[10, 10]]);
});

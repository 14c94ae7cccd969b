// The files that hold given byte ranges of an ext4 filesystem, found by the real debugfs (icheck, ncheck) on a real
// filesystem made with mkfs.ext4 -d (a file: debugfs reads it as it reads a partition).
import test from 'ava';
import { execa } from 'execa';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../../../core/runner/run.js';
import { extFilesAt } from '../../../imager/fs/files-at.js';
import { fsRecord } from '../../../imager/fs/registry.js';
import { tempDir } from '../../helpers/loop.js';

let dir = '';
let fs = '';
let victimFirstBlock = 0;

test.before(async () => {
  dir = await tempDir('lifeboat-files-at-');
  const tree = path.join(dir, 'tree');
  await mkdir(path.join(tree, 'sub'), { recursive: true });
  await writeFile(path.join(tree, 'victim.bin'), Buffer.alloc(300_000, 7));
  await writeFile(path.join(tree, 'sub', 'keep.txt'), 'kept\n');
  fs = path.join(dir, 'fs.img');
  await execa('truncate', ['-s', '32M', fs]);
  await execa('mkfs.ext4', ['-q', '-F', '-b', '4096', '-d', tree, fs]);
  victimFirstBlock = Number((await execa('debugfs', ['-R', 'bmap /victim.bin 0', fs])).stdout.trim());
});

test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a range inside a file names that file; free space and metadata are counted as no file', async (t) => {
  const r = await extFilesAt(new Runner(), fs, [{ offset: victimFirstBlock * 4096 + 1024, bytes: 8192 }], 4096);
  t.deepEqual(r.files, ['/victim.bin']);
  t.is(r.unownedBlocks, 0);
  const free = await extFilesAt(new Runner(), fs, [{ offset: 30 * 1024 * 1024, bytes: 4096 }, { offset: 0, bytes: 512 }], 4096);
  t.deepEqual(free.files, []);
  t.is(free.unownedBlocks, 2);
  t.false(free.truncated);
});

test('the registry gives ext2/3/4 this probe and no other filesystem one', (t) => {
  for (const type of ['ext2', 'ext3', 'ext4']) t.is(fsRecord(type).filesAt, extFilesAt);
  for (const type of ['xfs', 'btrfs', 'ntfs', 'vfat', undefined]) t.is(fsRecord(type).filesAt, undefined);
});

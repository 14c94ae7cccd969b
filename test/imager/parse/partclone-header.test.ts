// The partclone image header parser, on the first bytes of a real image (partclone 0.3.23: a 60 MiB ext4).
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { parsePartcloneHeader } from '../../../imager/parse/partclone-header.js';

const header = () => readFile(new URL('../../fixtures/partclone/header-ext4.bin', import.meta.url));

test('format 0002: the filesystem, its own size (not its partition\'s), blocks and block size', async (t) => {
  t.deepEqual(parsePartcloneHeader(await header()), { fs: 'EXTFS', deviceBytes: 60 * 1024 * 1024, totalBlocks: 61440, usedBlocks: 9257, blockSize: 1024 });
});

test('anything else is no header: too short, another magic, another format version', async (t) => {
  const b = await header();
  t.is(parsePartcloneHeader(b.subarray(0, 60)), undefined);
  t.is(parsePartcloneHeader(Buffer.concat([Buffer.from('not-a-partclone'), b.subarray(15)])), undefined);
  const v1 = Buffer.from(b);
  v1.write('0001', 30, 'latin1');
  t.is(parsePartcloneHeader(v1), undefined);
});

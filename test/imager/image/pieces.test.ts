import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PieceWriter, writesLocally } from '../../../imager/image/pieces.js';

test('splits into .aa, .ab … of at most the split size, each hashed; joined they are the input', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-pieces-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const data = Buffer.alloc(2_500_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  const w = new PieceWriter(dir, 'sda1.ext4-ptcl-img.zst', 1_048_576);
  await pipeline(Readable.from([data.subarray(0, 700_000), data.subarray(700_000)]), w);
  t.deepEqual((await readdir(dir)).sort(), ['sda1.ext4-ptcl-img.zst.aa', 'sda1.ext4-ptcl-img.zst.ab', 'sda1.ext4-ptcl-img.zst.ac']);
  const joined = Buffer.concat(await Promise.all(['aa', 'ab', 'ac'].map((s) => readFile(path.join(dir, `sda1.ext4-ptcl-img.zst.${s}`)))));
  t.true(joined.equals(data));
  t.is(w.digests.get('sda1.ext4-ptcl-img.zst.aa')?.bytes, 1_048_576);
  const ac = await readFile(path.join(dir, 'sda1.ext4-ptcl-img.zst.ac'));
  t.is(w.digests.get('sda1.ext4-ptcl-img.zst.ac')?.sha256, createHash('sha256').update(ac).digest('hex'));
});

test('unsplit: one file with the base name, even when empty', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-pieces-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const w = new PieceWriter(dir, 'x.dd-ptcl-img.uncomp', undefined);
  await pipeline(Readable.from([]), w);
  t.deepEqual(await readdir(dir), ['x.dd-ptcl-img.uncomp']);
  t.is(w.digests.get('x.dd-ptcl-img.uncomp')?.bytes, 0);
});

test('writes inline only where the filesystem is a local one: ext4 here, a FUSE mount not, a missing folder not', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-pieces-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.true(writesLocally(dir), `${dir} is on the host's local filesystem`);
  t.false(writesLocally(path.join(dir, 'gone')));
  // /proc is neither local disk nor FUSE: the list is of local disk filesystems, anything else stays asynchronous.
  t.false(writesLocally('/proc'));
});

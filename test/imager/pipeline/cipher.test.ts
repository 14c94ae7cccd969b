// The cipher slot runs: a real ext4 partition saved through a byte-rotating filter (a stand-in cipher), checked and
// restored through its inverse. The bytes on the store are not zstd's, and their SHA-256 is of what is stored.
import test from 'ava';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../../../core/runner/run.js';
import { codecs } from '../../../imager/codec/codecs.js';
import { partcloneHandler } from '../../../imager/fs/partclone.js';
import { runPipeline } from '../../../imager/pipeline/run.js';
import { composePipeline, type Cipher } from '../../../imager/pipeline/stages.js';
import { attach, ext4Disk, fileHash, makeSparse, partition, scratch, withMount } from '../../helpers/loop.js';

// Adds 1 to every byte, and takes it away again: not a cipher, but a filter whose output differs from its input.
const rot1: Cipher = { name: 'rot1', encrypt: ['tr', '\\000-\\377', '\\001-\\377\\000'], decrypt: ['tr', '\\001-\\377\\000', '\\000-\\377'] };
const ext4 = partcloneHandler('ext4');
const zstdMagic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

test('save → check → restore through a cipher stage gives the same files; what is stored is the cipher\'s output', async (t) => {
  const { dir, attached } = await scratch(t);
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 64, label: 'ciphered', randomMiB: 8 });
  await withMount(source.part(1), (m) => execa('sh', ['-c', `echo hello > ${m}/hello.txt`]));
  const runner = new Runner();
  const base = 'p1.ext4-ptcl-img.zst';
  const save = composePipeline({
    direction: 'save',
    support: 'partclone',
    codec: codecs.zstd,
    level: 3,
    cipher: rot1,
    output: { dir, base, splitBytes: undefined },
    partclone: (fifo) => ext4.save(source.part(1), fifo),
  });
  let saveThrough = false;
  const { digests } = await runPipeline(save, { runner, onThrough: () => (saveThrough = true) });
  t.true(saveThrough, 'the save said its data was through');
  const stored = await readFile(path.join(dir, base));
  t.is(digests.get(base)?.sha256, createHash('sha256').update(stored).digest('hex'), 'the hash is of the bytes on the store');
  t.false(stored.subarray(0, 4).equals(zstdMagic), 'the stored bytes are not the compressor\'s');
  const decrypted = Buffer.from(stored.subarray(0, 4).map((b) => (b + 255) & 0xff));
  t.true(decrypted.equals(zstdMagic), 'the inverse filter gives zstd back');

  const files = [path.join(dir, base)];
  let checkThrough = false;
  await runPipeline(composePipeline({ direction: 'check', support: 'partclone', codec: codecs.zstd, cipher: rot1, files, partclone: (i) => ext4.check(i)! }), {
    runner,
    onThrough: () => (checkThrough = true),
  });
  t.true(checkThrough);
  // Without the cipher the same files are not an image: the slot is what made them readable.
  await t.throwsAsync(runPipeline(composePipeline({ direction: 'check', support: 'partclone', codec: codecs.zstd, files, partclone: (i) => ext4.check(i)! }), { runner, hint: 'the image file is damaged' }));

  await makeSparse(path.join(dir, 'target.img'), 64);
  await partition(path.join(dir, 'target.img'), 'label: gpt\ntype=linux');
  const target = await attach(path.join(dir, 'target.img'));
  attached.push(target);
  await runPipeline(composePipeline({ direction: 'restore', support: 'partclone', codec: codecs.zstd, cipher: rot1, files, partclone: (fifo) => ext4.restore(fifo, target.part(1))! }), { runner });
  const read = (dev: string) => withMount(dev, async (m) => ({ hello: await readFile(path.join(m, 'hello.txt'), 'utf8'), random: await fileHash(path.join(m, 'random.bin')) }), ['-o', 'ro']);
  t.deepEqual(await read(target.part(1)), await read(source.part(1)));
});

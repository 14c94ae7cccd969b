// composePipeline: which stages a job's data passes, from the direction, the filesystem's support, codec and cipher.
import test from 'ava';
import { codecs } from '../../../imager/codec/codecs.js';
import { composePipeline, describePipeline, type Cipher } from '../../../imager/pipeline/stages.js';

const pc = (fifo: string) => ['partclone.ext4', '-s', fifo];
const rot: Cipher = { name: 'rot1', encrypt: ['tr', 'a', 'b'], decrypt: ['tr', 'b', 'a'] };

test('save: partclone → compress → hash → file, or pieces when split', (t) => {
  const out = { dir: '/s', base: 'sda1.ext4-ptcl-img.zst', splitBytes: undefined };
  t.is(describePipeline(composePipeline({ direction: 'save', support: 'partclone', codec: codecs.zstd, level: 3, output: out, partclone: pc })), 'partclone-fifo(source) → compress(zstd) → hash → file');
  t.is(describePipeline(composePipeline({ direction: 'save', support: 'partclone', codec: codecs.none, output: { ...out, splitBytes: 1000 }, partclone: pc })), 'partclone-fifo(source) → hash → pieces(1000)');
});

test('restore: files → decompress → partclone, or the block device for raw images', (t) => {
  t.is(describePipeline(composePipeline({ direction: 'restore', support: 'partclone', codec: codecs.gzip, files: ['a'], partclone: pc })), 'files → decompress(pigz) → partclone-fifo(sink)');
  t.is(describePipeline(composePipeline({ direction: 'restore', support: 'raw', codec: codecs.zstd, files: ['a'], target: '/dev/x' })), 'files → decompress(zstd) → block-device');
});

test('check: files → decompress → partclone.chkimg on stdin, or nothing for raw images', (t) => {
  const stages = composePipeline({ direction: 'check', support: 'partclone', codec: codecs.zstd, files: ['a'], partclone: pc });
  t.is(describePipeline(stages), 'files → decompress(zstd) → partclone-stdin');
  t.deepEqual(stages.at(-1), { kind: 'partclone-stdin', argv: ['partclone.ext4', '-s', '-'] });
  t.is(describePipeline(composePipeline({ direction: 'check', support: 'raw', codec: codecs.none, files: ['a'] })), 'files → nothing');
});

test('the cipher slot: after compression and before the hash on save, first on the way back', (t) => {
  const out = { dir: '/s', base: 'b', splitBytes: undefined };
  t.is(describePipeline(composePipeline({ direction: 'save', support: 'partclone', codec: codecs.zstd, output: out, partclone: pc, cipher: rot })), 'partclone-fifo(source) → compress(zstd) → encrypt(rot1) → hash → file');
  t.is(describePipeline(composePipeline({ direction: 'restore', support: 'partclone', codec: codecs.zstd, files: ['a'], partclone: pc, cipher: rot })), 'files → decrypt(rot1) → decompress(zstd) → partclone-fifo(sink)');
  t.is(describePipeline(composePipeline({ direction: 'check', support: 'raw', codec: codecs.zstd, files: ['a'], cipher: rot })), 'files → decrypt(rot1) → decompress(zstd) → nothing');
});

test('a pipeline that lacks what its direction needs is a programming error, said at once', (t) => {
  t.throws(() => composePipeline({ direction: 'restore', support: 'raw', codec: codecs.zstd, files: ['a'] }), { message: /needs a target/ });
});

import test from 'ava';
import { checkLevel, codecByName, codecBySuffix, codecs } from '../../../imager/codec/codecs.js';
import { UsageError } from '../../../core/errors.js';

test('names and Clonezilla suffixes', (t) => {
  t.is(codecByName('zstd').suffix, 'zst');
  t.is(codecByName('gzip').suffix, 'gz');
  t.is(codecByName('none').suffix, 'uncomp');
  t.is(codecBySuffix('xz'), codecs.xz);
  t.is(codecBySuffix('lz4'), undefined);
  const e = t.throws(() => codecByName('lz4'), { instanceOf: UsageError });
  t.regex(e.hint ?? '', /zstd, gzip, xz, none/);
});

test('argv: multi-threaded zstd at the chosen level', (t) => {
  t.deepEqual(codecs.zstd.compress(5), ['zstd', '-q', '-c', '-T0', '-5']);
  t.deepEqual(codecs.zstd.compress(undefined), ['zstd', '-q', '-c', '-T0', '-3']);
  t.deepEqual(codecs.gzip.compress(1), ['pigz', '-c', '-1']);
  t.is(codecs.none.compress(undefined), undefined);
});

test('levels are checked per codec', (t) => {
  t.is(checkLevel(codecs.zstd, undefined), 3);
  t.is(checkLevel(codecs.zstd, 19), 19);
  t.throws(() => checkLevel(codecs.zstd, 20), { instanceOf: UsageError });
  t.throws(() => checkLevel(codecs.gzip, 0), { instanceOf: UsageError });
  t.throws(() => checkLevel(codecs.none, 1), { instanceOf: UsageError });
});

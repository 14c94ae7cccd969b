import test from 'ava';
import { bytes, duration, parseSize } from '../../core/format.js';
import { UsageError } from '../../core/errors.js';

test('sizes the user types', (t) => {
  t.is(parseSize('4G'), 4 * 1024 ** 3);
  t.is(parseSize('4000M'), 4000 * 1024 ** 2);
  t.is(parseSize('3900MB'), 3.9e9);
  t.is(parseSize('2GiB'), 2 * 1024 ** 3);
  t.is(parseSize('1048576'), 1048576);
  t.throws(() => parseSize('big'), { instanceOf: UsageError });
  t.throws(() => parseSize('4Q'), { instanceOf: UsageError });
});

test('human sizes and durations', (t) => {
  t.is(bytes(512), '512 B');
  t.is(bytes(1536), '1.5 KiB');
  t.is(bytes(800 * 1024 ** 2), '800 MiB');
  t.is(duration(75), '1:15');
  t.is(duration(3725), '1:02:05');
  t.is(duration(undefined), '--:--');
});

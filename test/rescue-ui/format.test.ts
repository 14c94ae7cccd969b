// The screens' words for rates: partclone's 0 at the start of a partition is "not known yet", not 0 B/s.
import test from 'ava';
import { rate } from '../../rescue-ui/format.js';

test('rate: unknown, zero or not finite shows -, otherwise bytes per second', (t) => {
  t.is(rate(undefined), '-');
  t.is(rate(0), '-');
  t.is(rate(Number.NaN), '-');
  t.is(rate(Number.POSITIVE_INFINITY), '-');
  t.is(rate(50 * 1024 * 1024), '50.0 MiB/s');
});

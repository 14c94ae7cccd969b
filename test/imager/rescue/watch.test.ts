import test from 'ava';
import type { PartcloneEvent } from '../../../imager/parse/partclone.js';
import { UnreadableWatch } from '../../../imager/rescue/watch.js';

const progress = (percent: number): PartcloneEvent => ({ kind: 'progress', percent, elapsedSeconds: 1, remainingSeconds: 1, bytesPerMinute: undefined });
const bad = (offset: number): PartcloneEvent => ({ kind: 'unreadable', offset });

test('default mode: the first range is complete at a sector apart from it, and only it is kept', (t) => {
  const w = new UnreadableWatch(true);
  t.false(w.feed(progress(10)));
  t.false(w.feed(bad(4096)));
  t.false(w.feed(bad(4608)));
  t.true(w.feed(bad(65536)));
  t.true(w.feed(bad(70000)), 'stays closed');
  t.deepEqual(w.found(), [{ offset: 4096, bytes: 1024 }]);
});

test('default mode: the first range is complete once progress shows more copied than before its first sector', (t) => {
  const w = new UnreadableWatch(true);
  w.feed(progress(10));
  w.feed(bad(4096));
  t.false(w.feed(progress(10)), 'a tick that read the count before the chunk was done');
  t.false(w.feed(bad(4608)));
  t.true(w.feed(progress(12.5)));
  t.deepEqual(w.found(), [{ offset: 4096, bytes: 1024 }]);
});

test('default mode: with no progress line before the first sector, the next one only sets the baseline', (t) => {
  const w = new UnreadableWatch(true);
  w.feed(bad(0));
  t.false(w.feed(progress(3)));
  t.false(w.feed(bad(512)));
  t.true(w.feed(progress(4)));
  t.deepEqual(w.found(), [{ offset: 0, bytes: 1024 }]);
});

test('rescue mode: every range is kept and nothing stops', (t) => {
  const w = new UnreadableWatch(false);
  for (const e of [progress(1), bad(4096), bad(4608), progress(50), bad(1 << 20), progress(100)]) t.false(w.feed(e));
  t.deepEqual(w.found(), [
    { offset: 4096, bytes: 1024 },
    { offset: 1 << 20, bytes: 512 },
  ]);
  t.false(w.sawBadSectors());
});

test("partclone's bad-sectors banner (no rescue flag) is noted", (t) => {
  const w = new UnreadableWatch(true);
  w.feed({ kind: 'bad-sectors' });
  t.true(w.sawBadSectors());
  t.deepEqual(w.found(), []);
});

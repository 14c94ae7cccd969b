import test from 'ava';
import { readFile } from 'node:fs/promises';
import { lineSplitter } from '../../../core/runner/run.js';
import { parsePartcloneLine, type PartcloneEvent } from '../../../imager/parse/partclone.js';

async function eventsOf(fixture: string): Promise<PartcloneEvent[]> {
  const text = await readFile(new URL(`../../fixtures/partclone/${fixture}`, import.meta.url), 'utf8');
  const out: PartcloneEvent[] = [];
  const split = lineSplitter((l) => {
    const e = parsePartcloneLine(l);
    if (e) out.push(e);
  });
  split.push(text);
  split.end();
  return out;
}

test('a clone under a pty: filesystem, sizes, bitmap phase, progress with rate, blocks, done', async (t) => {
  const events = await eventsOf('ext4-clone-pty.txt');
  t.deepEqual(events.find((e) => e.kind === 'filesystem'), { kind: 'filesystem', name: 'EXTFS' });
  t.deepEqual(events.find((e) => e.kind === 'info' && e.field === 'usedSize'), { kind: 'info', field: 'usedSize', blocks: 100436 });
  t.deepEqual(events.find((e) => e.kind === 'block-size'), { kind: 'block-size', bytes: 1024 });
  t.true(events.some((e) => e.kind === 'bitmap'));
  const progress = events.filter((e) => e.kind === 'progress');
  t.true(progress.length >= 2);
  const last = progress[progress.length - 1]!;
  t.is(last.kind === 'progress' && last.percent, 100);
  t.is(last.kind === 'progress' && Math.round(last.bytesPerMinute! / 1e7), 309); // "Rate: 3.09GB/min"
  const blocks = events.filter((e) => e.kind === 'blocks');
  t.deepEqual(blocks[blocks.length - 1], { kind: 'blocks', current: 135699, total: 204800, percent: 100 });
  t.true(events.some((e) => e.kind === 'done'));
});

test('single lines', (t) => {
  t.deepEqual(parsePartcloneLine('Elapsed: 00:01:02, Remaining: 01:00:00, Completed:  42.50%,  1.50GB/min,'), {
    kind: 'progress',
    percent: 42.5,
    elapsedSeconds: 62,
    remainingSeconds: 3600,
    bytesPerMinute: 1.5e9,
  });
  t.deepEqual(parsePartcloneLine('Elapsed: 00:00:01, Remaining: 00:01:39, Completed:   1.00%'), { kind: 'bitmap', percent: 1 });
  t.deepEqual(parsePartcloneLine('\x1b[A current block:   5, total block:  10, Complete:  50.00%'), { kind: 'blocks', current: 5, total: 10, percent: 50 });
  t.is(parsePartcloneLine('Partclone v0.3.23 http://partclone.org'), undefined);
  t.is(parsePartcloneLine('Partclone successfully cloned the device (a) to the image (b)'), undefined);
  t.deepEqual(parsePartcloneLine('source seek ERROR: Illegal seek'), { kind: 'error', message: 'source seek ERROR: Illegal seek' });
  t.is(parsePartcloneLine(''), undefined);
});

test('chkimg and restore output parse too', async (t) => {
  for (const f of ['chkimg-pty.txt', 'restore-pty.txt']) {
    const events = await eventsOf(f);
    t.true(events.some((e) => e.kind === 'done'), f);
  }
});

test("rescue mode: each unreadable sector's byte offset, also after a progress redraw; the bad-sectors banner", (t) => {
  t.deepEqual(parsePartcloneLine("WARNING: Can't read sector at 1052672, lost data."), { kind: 'unreadable', offset: 1052672 });
  t.deepEqual(parsePartcloneLine("\x1b[A                    WARNING: Can't read sector at 512, lost data."), { kind: 'unreadable', offset: 512 });
  t.deepEqual(parsePartcloneLine('* WARNING: The disk has bad sectors. This means physical damage on the  *'), { kind: 'bad-sectors' });
});

import test from 'ava';
import { readFile } from 'node:fs/promises';
import { parseDdrescueMap } from '../../../imager/parse/ddrescue.js';

const fixture = (f: string) => readFile(new URL(`../../fixtures/ddrescue/${f}`, import.meta.url), 'utf8');

test('a finished copy (ddrescue 1.27, captured): nothing unreadable', async (t) => {
  t.deepEqual(parseDdrescueMap(await fixture('finished.map')), { status: '+', unreadable: [], bytes: 1048576 });
});

test('bad sectors and a non-scraped area are both unreadable, with their byte offsets', async (t) => {
  const m = parseDdrescueMap(await fixture('bad.map'));
  t.deepEqual(m.unreadable, [
    { offset: 0x117000, bytes: 0x200 },
    { offset: 0x118200, bytes: 0x7e00 },
  ]);
  t.is(m.bytes, 0x168000);
});

test('a mapfile without its status line is refused', (t) => {
  t.throws(() => parseDdrescueMap('# only comments\n'), { message: /status line/ });
});

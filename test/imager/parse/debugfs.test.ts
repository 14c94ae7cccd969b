import test from 'ava';
import { readFile } from 'node:fs/promises';
import { parseIcheck, parseNcheck } from '../../../imager/parse/debugfs.js';

const fixture = (f: string) => readFile(new URL(`../../fixtures/debugfs/${f}`, import.meta.url), 'utf8');

test('icheck (debugfs 1.47.0): each block with its inode, or none for free space and metadata', async (t) => {
  const m = parseIcheck(await fixture('icheck.txt'));
  t.deepEqual([...m.entries()], [
    [1, undefined],
    [2000, undefined],
    [1000000, undefined],
    [1550, 13],
    [5, undefined],
  ]);
});

test("ncheck (debugfs 1.47.0): every path of an inode (hard links), the root's '//' made one slash", async (t) => {
  const m = parseNcheck(await fixture('ncheck.txt'));
  t.deepEqual(m.get(13), ['/victim.bin', '/sub/hardlink.bin']);
  t.deepEqual(m.get(12), ['/sub']);
});

// The layout file of restore --shrink --layout: partition numbers and sizes, and one clear line for anything else.
import test from 'ava';
import { parseLayoutFile } from '../../../imager/layout/layout-file.js';

const MiB = 1024 * 1024;

test('numbers and sizes with units of 1024, comments and blank lines', (t) => {
  const sizes = parseLayoutFile('# sizes for the new SSD\n2 150GiB\n\n3   20G   # data\n5 512M\n6 1.5T\n7 4096K\n8 1048576\n9 64MiB\n');
  t.deepEqual([...sizes], [
    [2, 150 * 1024 * MiB],
    [3, 20 * 1024 * MiB],
    [5, 512 * MiB],
    [6, 1.5 * 1024 * 1024 * MiB],
    [7, 4 * MiB],
    [8, MiB],
    [9, 64 * MiB],
  ]);
});

test('anything else is refused naming the file and line', (t) => {
  const bad: [string, RegExp][] = [
    ['2 lots', /^sizes\.txt, line 1: '2 lots' is not a partition number and a size$/],
    ['1 10G\nroot 10G', /^sizes\.txt, line 2: 'root 10G' is not a partition number and a size$/],
    ['0 10G', /line 1: partition numbers start at 1/],
    ['2 10G\n2 20G', /line 2: partition 2 is given twice/],
    ['2 0M', /line 1: a size must be more than 0/],
    ['2 10X', /line 1: '2 10X' is not/],
    ['# nothing\n', /^sizes\.txt names no partition$/],
  ];
  for (const [text, message] of bad) t.throws(() => parseLayoutFile(text, 'sizes.txt'), { message }, text);
});

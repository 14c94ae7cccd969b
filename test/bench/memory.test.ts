import test from 'ava';
import { descendants, parentOf } from '../../bench/memory.js';

test('a process tree from a pid → parent table: the root, its children, their children; nothing else', (t) => {
  const parents = new Map([
    [10, 1],
    [11, 10],
    [12, 10],
    [13, 12],
    [20, 1],
    [21, 20],
  ]);
  t.deepEqual(descendants(10, parents).sort((a, b) => a - b), [10, 11, 12, 13]);
  t.deepEqual(descendants(21, parents), [21]);
});

test('the parent pid from /proc/<pid>/stat, also when the command name holds spaces and parentheses', (t) => {
  t.is(parentOf('4788 (dd) S 4787 4787 1234 0 -1 4194560 117 0 0 0'), 4787);
  t.is(parentOf('999 (my (odd) prog) R 42 999 999 0 -1'), 42);
});

// Used bytes of a mounted filesystem survive the mount going away while a listing measures it: unknown, not a crash.
import test from 'ava';
import { Runner } from '../../../core/runner/run.js';
import { mountedUsedBytes, usedBytes } from '../../../imager/disks/usage.js';
import { scratch } from '../../helpers/loop.js';

test('a mount point that no longer exists (statfs ENOENT) gives unknown used bytes, and the other partitions still measure', async (t) => {
  const { dir } = await scratch(t);
  const gone = `${dir}/unmounted-while-listing`;
  t.is(await mountedUsedBytes(gone), undefined);
  // The listing's own entry point, with no command run for a mounted partition: unknown, no throw.
  const log: string[] = [];
  const runner = new Runner((e) => log.push(e.command));
  t.is(await usedBytes(runner, '/dev/nonexistent-lifeboat', 'ext4', [gone]), undefined);
  t.deepEqual(log, []);
  // A mount point that is there still measures.
  const here = await mountedUsedBytes(dir);
  t.is(typeof here, 'number');
  t.true(here! > 0);
});

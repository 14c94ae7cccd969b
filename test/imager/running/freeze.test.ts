// running/freeze.ts and running/options.ts: the plan's rules of a freeze (pure), the checked options, and the two
// bounds of a real freeze (fsfreeze on a loop-mounted ext4): the job's stop at 3 times the limit, and the watchdog
// process that thaws the filesystem when the job that froze it never does (killed while it read).
import test from 'ava';
import { execa } from 'execa';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Runner } from '../../../core/runner/run.js';
import { LifeboatError } from '../../../core/errors.js';
import { freezePlan, freezeForRead, hardLimitFactor } from '../../../imager/running/freeze.js';
import { runningReadOptions } from '../../../imager/running/options.js';
import { ext4Disk, scratch } from '../../helpers/loop.js';
import { mountForTest } from '../../helpers/running.js';

const MiB = 1024 * 1024;
const part = { device: '/dev/sdb2', fsType: 'ext4', mountpoints: ['/srv'], usedBytes: 100 * MiB };

test('freezePlan: ext4/xfs/btrfs under the limit freeze; other filesystems, / and /var, and long reads do not', (t) => {
  t.deepEqual(freezePlan(part, 10), { ok: true, mountpoint: '/srv', estimatedSeconds: 2 });
  t.deepEqual(freezePlan({ ...part, fsType: 'xfs', usedBytes: 1 }, 10), { ok: true, mountpoint: '/srv', estimatedSeconds: 1 });
  const over = freezePlan({ ...part, usedBytes: 700 * MiB }, 10);
  t.false(over.ok);
  t.regex(over.ok ? '' : over.message, /about 11 s, over the 10 s limit/);
  t.regex(over.ok ? '' : over.hint, /--freeze-limit/);
  for (const fsType of ['vfat', 'ntfs', 'ext2', undefined]) t.false(freezePlan({ ...part, fsType }, 10).ok, String(fsType));
  for (const mp of ['/', '/var', '/var/log', '/tmp', '/usr']) {
    const d = freezePlan({ ...part, mountpoints: ['/mnt/x', mp] }, 10);
    t.false(d.ok, mp);
    t.regex(d.ok ? '' : d.message, /would stop the system's journal/);
  }
});

test('runningReadOptions: nothing asked is no running read; limits without what they limit and bad numbers are usage errors', (t) => {
  t.is(runningReadOptions({}), undefined);
  t.is(runningReadOptions({ freeze: false }), undefined);
  t.like(runningReadOptions({ freeze: true }), { freeze: true, freezeLimitSeconds: 10, hookTimeoutSeconds: 60, snapshots: false });
  t.like(runningReadOptions({ pre: 'true', hookTimeoutSeconds: 5 }), { freeze: false, pre: 'true', hookTimeoutSeconds: 5 });
  for (const bad of [{ freezeLimitSeconds: 5 }, { freeze: true, freezeLimitSeconds: 0 }, { freeze: true, freezeLimitSeconds: Number.NaN }, { hookTimeoutSeconds: 5 }, { post: '' }, { pre: 'x', hookTimeoutSeconds: -1 }]) {
    const e = t.throws(() => runningReadOptions(bad), undefined, JSON.stringify(bad));
    t.is((e as LifeboatError).kind, 'usage');
  }
});

/** A mounted ext4 on a loop disk, unmounted at the test's end (thawed first should the test fail while it is frozen). */
async function mountedExt4(t: Parameters<typeof scratch>[0]) {
  const { dir, attached } = await scratch(t);
  const disk = await ext4Disk(attached, path.join(dir, 'd.img'), { sizeMiB: 64, label: 'frz' });
  return { disk, m: await mountForTest(t, disk.part(1)) };
}

/**
 * Whether a write to the filesystem is through within ms: a write to a frozen filesystem waits, uninterruptibly,
 * until the thaw (so it cannot be timed out); it is left to finish then, and awaited at the test's end.
 */
async function writes(t: { teardown(fn: () => Promise<void>): void }, m: string, ms: number): Promise<boolean> {
  const child = execa('sh', ['-c', `echo x >> '${m}/w' && sync '${m}/w'`], { reject: false });
  t.teardown(async () => {
    await child;
  });
  return Promise.race([child.then(() => true), sleep(ms).then(() => false)]);
}

/** A read-only loop a failed test left over the partition is detached (before the disk's own teardown). */
function detachLoopsOver(t: { teardown(fn: () => Promise<void>): void }, device: string) {
  t.teardown(async () => {
    for (const line of (await execa('losetup', ['-j', device], { reject: false })).stdout.split('\n').filter(Boolean)) await execa('losetup', ['-d', line.split(':')[0]!], { reject: false });
  });
}

test.serial('a real freeze: partclone\'s view is a read-only loop; overdue at 3 times the limit; thawed and detached after', async (t) => {
  const { disk, m } = await mountedExt4(t);
  const runner = new Runner();
  detachLoopsOver(t, disk.part(1));
  const f = await freezeForRead(runner, disk.part(1), m, 1);
  t.regex(f.device, /^\/dev\/loop\d+$/);
  t.is((await execa('cat', [`/sys/block/${path.basename(f.device)}/ro`])).stdout, '1');
  t.is((await execa('cat', [`/sys/block/${path.basename(f.device)}/loop/dio`])).stdout, '1');
  t.false(await writes(t, m, 500), 'frozen: a write waits');
  t.false(f.overdue.aborted);
  await sleep(hardLimitFactor * 1000 + 300 - f.frozenSeconds() * 1000);
  t.true(f.overdue.aborted, 'overdue past 3 times the limit');
  await f.thaw();
  await f.thaw(); // twice is harmless
  t.true(await writes(t, m, 5000), 'thawed');
  t.is((await execa('losetup', ['-j', disk.part(1)])).stdout.trim(), '');
  t.is((await execa('pgrep', ['-f', 'lifeboat-thaw'], { reject: false })).stdout, '', 'the watchdog ended with the thaw');
});

test.serial('the watchdog thaws a filesystem whose job never does, a little after the hard limit', async (t) => {
  const { disk, m } = await mountedExt4(t);
  detachLoopsOver(t, disk.part(1));
  const f = await freezeForRead(new Runner(), disk.part(1), m, 0.5);
  // As if the job had died: nobody calls thaw. The watchdog's sleep is ceil(1.5) + 5 = 7 s; the write waits until then.
  await execa('losetup', ['-d', f.device]);
  t.false(await writes(t, m, 500), 'frozen');
  t.true(await writes(t, m, 15_000), 'the watchdog thawed it');
  const thawedAfter = f.frozenSeconds();
  t.true(thawedAfter >= 6.5 && thawedAfter < 12, `thawed after ${thawedAfter} s`);
});

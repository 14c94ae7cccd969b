// Clamping a tree's times to SOURCE_DATE_EPOCH: newer entries (files, directories, symlinks) take the epoch, older
// ones keep their own time, and a symlink's target is never touched through it.
import test from 'ava';
import { lstat, mkdir, mkdtemp, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clampTimes } from '../../builder/clamp-times.js';

test('entries newer than the epoch get it; older ones keep their time; symlinks are clamped themselves', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-clamp-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const outside = await mkdtemp(path.join(tmpdir(), 'lifeboat-clamp-target-'));
  t.teardown(() => rm(outside, { recursive: true, force: true }));
  const epoch = 1_700_000_000;
  const old = epoch - 86_400;
  await mkdir(path.join(dir, 'live'));
  await writeFile(path.join(dir, 'live/new.txt'), 'new');
  await writeFile(path.join(dir, 'old.bin'), 'old');
  await utimes(path.join(dir, 'old.bin'), old, old);
  await writeFile(path.join(outside, 'target'), 't');
  await symlink(path.join(outside, 'target'), path.join(dir, 'link'));
  const targetBefore = (await stat(path.join(outside, 'target'))).mtimeMs;
  const changed = await clampTimes(dir, epoch);
  t.is(changed, 4, 'dir, live/, live/new.txt and link');
  for (const p of ['', 'live', 'live/new.txt', 'link']) t.is((await lstat(path.join(dir, p))).mtimeMs, epoch * 1000, p || '.');
  t.is((await stat(path.join(dir, 'old.bin'))).mtimeMs, old * 1000);
  t.is((await stat(path.join(outside, 'target'))).mtimeMs, targetBefore, 'the link target outside the tree');
  t.is(await clampTimes(dir, epoch), 0, 'a second run changes nothing');
});

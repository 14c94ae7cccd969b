// Acceptance: one writing job per disk and per image on a host. While `lifeboat backup` of a disk runs (400 MiB of
// random data through gzip, so it lasts some seconds), a second backup of it to the same image and a restore onto it are refused (exit 4,
// naming the running job) and touch nothing; the first backup completes and verifies, and its locks are gone after.
import test from 'ava';
import { execa } from 'execa';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lifeboat, lifeboatBin } from '../helpers/cli.js';
import { makeGptSource } from '../helpers/fixtures.js';
import { ext4Disk, fileHash, scratch } from '../helpers/loop.js';

test('a second backup to the same image and a restore onto the disk being backed up are refused while it runs', async (t) => {
  const { dir, attached } = await scratch(t);
  const src = await ext4Disk(attached, path.join(dir, 'src.img'), { sizeMiB: 1024, label: 'BIG', randomMiB: 400 });
  // A small image to try to restore onto the busy disk.
  const small = await makeGptSource(path.join(dir, 'small.img'));
  attached.push(small.disk);
  const smallImage = path.join(dir, 'store', 'small');
  t.is((await lifeboat(['backup', small.disk.device, smallImage])).exitCode, 0);

  const image = path.join(dir, 'store', 'big');
  const partial = path.join(dir, 'store', '.big.lifeboat-partial');
  const first = execa('node', [lifeboatBin, 'backup', src.device, image, '--compress', 'gzip'], { reject: false });
  for (let i = 0; i < 1200 && first.exitCode === null; i++) {
    if ((await readdir(partial).catch(() => [] as string[])).some((f) => /ptcl-img/.test(f))) break;
    await sleep(25);
  }
  t.is(first.exitCode, null, 'the first backup still runs');

  const second = await lifeboat(['backup', src.device, image]);
  t.is(second.exitCode, 4, second.stderr);
  t.regex(second.stderr, new RegExp(`${src.device} is in use by another Lifeboat job: backup of ${src.device} to ${image} \\(pid ${first.pid}, since`));
  t.regex(second.stderr, /wait until that job has finished/);

  const before = await fileHash(small.disk.file);
  t.is(first.exitCode, null, 'the first backup still runs');
  const restore = await lifeboat(['restore', smallImage, src.device, '--yes']);
  t.is(restore.exitCode, 4, restore.stderr);
  t.regex(restore.stderr, new RegExp(`${src.device} is in use by another Lifeboat job: backup of ${src.device}`));
  t.is(await fileHash(small.disk.file), before);

  t.is(first.exitCode, null, 'the first backup still ran while both were refused');
  const r = await first;
  t.is(r.exitCode, 0, String(r.stderr));
  t.is((await lifeboat(['verify', image])).exitCode, 0, 'the first backup was not disturbed');
  const rdev = (await stat(src.device)).rdev;
  const held: string[] = [];
  for (const f of await readdir('/run/lifeboat/locks').catch(() => [] as string[])) held.push(await readFile(path.join('/run/lifeboat/locks', f), 'utf8').catch(() => ''));
  t.false(held.some((l) => l.includes(`"key":"disk:${rdev}"`) || l.includes(`"pid":${first.pid},`)), 'its locks are gone');
});

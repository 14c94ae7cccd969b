// Issue 15, acceptance 3: retention. Backups of two disks stamped on different days (restic backup --time, through
// the backup job's `now`): `lifeboat forget --keep-daily 3` keeps exactly the three newest days' backups of each
// disk, removes every snapshot of the others (their partition streams too), and prune frees their unique data.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../../core/runner/run.js';
import { codecs } from '../../imager/codec/codecs.js';
import { backupJob } from '../../imager/jobs/backup.js';
import { parseStoreRef } from '../../imager/store/open.js';
import { jsonLines, lifeboat } from '../helpers/cli.js';
import { ext4Disk, scratch, withMount } from '../helpers/loop.js';
import { privateLeft, testRepository } from '../helpers/restic.js';

const uniqueMiB = 2;

test.serial('forget --keep-daily 3: the three newest days per disk stay, the rest and their unique data go', async (t) => {
  const { dir, attached } = await scratch(t);
  const repo = await testRepository(dir);
  process.env['LIFEBOAT_REPOSITORY_TMP'] = repo.env['LIFEBOAT_REPOSITORY_TMP'];
  const disks = { a: await ext4Disk(attached, path.join(dir, 'a.img'), { sizeMiB: 64, label: 'diska' }), b: await ext4Disk(attached, path.join(dir, 'b.img'), { sizeMiB: 64, label: 'diskb' }) };
  const days = { a: 7, b: 4 };
  const runner = new Runner();
  const made: Record<'a' | 'b', Array<{ day: number; snapshot: string }>> = { a: [], b: [] };
  for (const key of ['a', 'b'] as const) {
    for (let day = 1; day <= days[key]; day++) {
      // Each day's own data: a file of random bytes (it neither compresses nor deduplicates), replacing the last one.
      await withMount(disks[key].part(1), async (m) => {
        await rm(path.join(m, 'today.bin'), { force: true });
        await writeFile(path.join(m, 'today.bin'), randomBytes(uniqueMiB * 1024 * 1024));
      });
      const r = await backupJob(runner, { disk: disks[key].device, store: parseStoreRef(repo.uri, { passwordFile: repo.passwordFile }), codec: codecs.zstd, now: new Date(2026, 10, day, 12, 0, 0) });
      made[key].push({ day, snapshot: r.image.split('#')[1]! });
    }
  }
  const before = await repo.snapshots();
  t.is(before.length, (days.a + days.b) * 2, 'one stream snapshot (one partition) and one manifest snapshot per backup');

  const forget = await lifeboat(['forget', repo.uri, '--keep-daily', '3', ...repo.access, '--json'], { env: repo.env });
  t.is(forget.exitCode, 0, forget.stderr);
  const result = jsonLines(forget.stdout).find((e) => e['type'] === 'result') as { removed: Array<{ snapshot: string }>; kept: Array<{ snapshot: string }>; snapshots: number; freedBytes: number };
  const keep = [...made.a.slice(-3), ...made.b.slice(-3)].map((m) => m.snapshot).sort();
  const drop = [...made.a.slice(0, -3), ...made.b.slice(0, -3)].map((m) => m.snapshot).sort();
  t.deepEqual(result.kept.map((k) => k.snapshot).sort(), keep, 'the three newest days of each disk');
  t.deepEqual(result.removed.map((k) => k.snapshot).sort(), drop);
  t.is(result.snapshots, drop.length * 2, 'each removed backup with its partition stream');
  // The removed days' random files are gone from the repository: prune freed at least their size.
  t.true(result.freedBytes >= drop.length * uniqueMiB * 1024 * 1024 * 0.9, `freed ${result.freedBytes} bytes for ${drop.length} backups of ${uniqueMiB} MiB unique data each`);

  const images = await lifeboat(['images', repo.uri, ...repo.access, '--json'], { env: repo.env });
  const listed = (JSON.parse(images.stdout).images as Array<{ name: string; time: string }>).map((i) => i.name);
  t.deepEqual([...listed].sort(), keep);
  t.is((await repo.snapshots()).length, keep.length * 2, 'no snapshot of a removed backup is left');
  const check = await repo.restic(['check', '--read-data']);
  t.is(check.exitCode, 0, check.stderr);
  // The kept oldest backup of disk a (day 5) still restores its stream intact: its SHA-256 matches the manifest.
  const verify = await lifeboat(['verify', `${repo.uri}#${made.a[4]!.snapshot}`, ...repo.access], { env: repo.env });
  t.is(verify.exitCode, 0, verify.stderr);
  t.deepEqual(await privateLeft(repo), []);
});

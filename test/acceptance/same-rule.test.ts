// Acceptance: the same disk backed up through the CLI, the rescue UI's backend and the unattended runner's job
// function (real loop devices, a real store partition) gives images named by the one rule (<disk>-<date>) with the
// same manifest fields, times and ids aside; and the unattended job leaves its log on the store.
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../../core/runner/run.js';
import type { Manifest } from '../../imager/image/manifest.js';
import { defaultImageName } from '../../imager/jobs/naming.js';
import { planAutorun, runAutorun, type AutorunPlan } from '../../live/autorun.js';
import { imagerBackend } from '../../rescue-ui/backend/imager-backend.js';
import { lifeboat } from '../helpers/cli.js';
import { ext4Disk, scratch, withMount } from '../helpers/loop.js';

/** The names the rule gives between two instants (a job may cross a minute). */
function namesBetween(disk: string, from: Date, to: Date): Set<string> {
  const out = new Set<string>();
  for (let t = Math.floor(from.getTime() / 60_000) * 60_000; t <= to.getTime(); t += 60_000) out.add(defaultImageName(disk, new Date(t)));
  return out;
}

/** A manifest without what differs from run to run: times, timings, and the digests of the files that hold them. */
function comparable(m: Manifest): Record<string, unknown> {
  const { createdAt: _c, finishedAt: _f, timings: _t, files, partitions, ...rest } = m;
  return { ...rest, files: Object.keys(files).sort(), partitions: partitions.map(({ seconds: _s, ...p }) => p) };
}

test('CLI, UI backend and unattended runner: one naming rule, the same manifest', async (t) => {
  const { dir, attached } = await scratch(t);
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 64, label: 'same-src' });
  const storeDisk = await ext4Disk(attached, path.join(dir, 'store.img'), { sizeMiB: 256, label: 'same-store' });
  const storePart = storeDisk.part(1);
  const from = new Date();

  // The CLI: the store given, the name left to the rule.
  const cli = await lifeboat(['backup', source.device, '--store', `${storePart}:/cli`, '--json']);
  t.is(cli.exitCode, 0, `${cli.stdout}\n${cli.stderr}`);

  // The UI backend, as the backup screen calls it (the name field's default is the rule's).
  const runner = new Runner();
  const backend = imagerBackend(runner, { onlyDisks: [source.device, storeDisk.device] });
  try {
    const [store] = await backend.listStores(source.device);
    t.truthy(store, 'the store partition is offered');
    const disk = (await backend.listDisks()).find((d) => d.device === source.device)!;
    const req = { disk: source.device, store: store!, name: defaultImageName(disk.name), compression: 'zstd' as const };
    const summary = await backend.planBackup(req);
    t.deepEqual(summary.refusals, []);
    const ui = await backend.runBackup(req, { onEvent: () => {}, signal: new AbortController().signal });
    t.true(ui.verified.ok, 'verified after the backup');
  } finally {
    await backend.close();
  }

  // The unattended runner's job function, for lifeboat.job=backup lifeboat.disk=… lifeboat.store=…:/auto.
  const plan = planAutorun({ job: 'backup', disk: source.device, store: `${storePart}:/auto`, after: 'shell' });
  t.false('error' in plan, JSON.stringify(plan));
  const auto = await runAutorun(plan as AutorunPlan, new Runner());
  t.true(auto.ok, auto.message);
  const to = new Date();

  const rule = namesBetween(source.name, from, to);
  await withMount(
    storePart,
    async (m) => {
      const only = async (folder: string) => (await readdir(path.join(m, folder))).filter((n) => rule.has(n));
      const images = { cli: await only('cli'), ui: await only('.'), auto: await only('auto') };
      for (const [face, names] of Object.entries(images)) t.is(names.length, 1, `${face}: one image named by the rule ${[...rule].join('|')}`);
      t.is(auto.image, `${storePart}:/auto/${images.auto[0]}`);
      const manifest = async (rel: string) => comparable(JSON.parse(await readFile(path.join(m, rel, 'lifeboat.json'), 'utf8')) as Manifest);
      const cliManifest = await manifest(path.join('cli', images.cli[0]!));
      t.is(cliManifest['state'], 'complete');
      t.deepEqual(await manifest(images.ui[0]!), cliManifest, 'UI backend = CLI');
      t.deepEqual(await manifest(path.join('auto', images.auto[0]!)), cliManifest, 'unattended = CLI');
      // The unattended job's log at its store's root: what ran and the outcome.
      const logs = (await readdir(path.join(m, 'auto'))).filter((f) => /^lifeboat-backup-\d{4}-\d\d-\d\d-\d{6}\.log$/.test(f));
      t.deepEqual(logs, 'file' in auto.log ? [auto.log.file] : [], JSON.stringify(auto.log));
      const log = await readFile(path.join(m, 'auto', logs[0]!), 'utf8');
      t.regex(log, new RegExp(`Lifeboat unattended job: lifeboat backup ${source.device} ${storePart}:/auto/<disk>-<date>`));
      t.regex(log, /partclone\.ext4 .* -> ok/);
      t.regex(log, /outcome: succeeded: saved /);
    },
    ['-o', 'ro'],
  );
});

test('the unattended runner writes its log on the store for a refusal too (a restore onto the disk holding the store)', async (t) => {
  const { dir, attached } = await scratch(t);
  const storeDisk = await ext4Disk(attached, path.join(dir, 'store.img'), { sizeMiB: 64, label: 'refuse-store' });
  const storePart = storeDisk.part(1);
  const plan = planAutorun({ job: 'restore', disk: storeDisk.device, store: `${storePart}:/`, image: 'nothing-here' });
  t.false('error' in plan, JSON.stringify(plan));
  const r = await runAutorun(plan as AutorunPlan, new Runner());
  t.false(r.ok);
  t.not(r.exitCode, 0);
  await withMount(
    storePart,
    async (m) => {
      const logs = (await readdir(m)).filter((f) => /^lifeboat-restore-.*\.log$/.test(f));
      t.is(logs.length, 1);
      const log = await readFile(path.join(m, logs[0]!), 'utf8');
      t.regex(log, /outcome: (refused|failed) \(exit code \d+\): /);
      t.true(log.includes(r.message), log);
    },
    ['-o', 'ro'],
  );
});

// Component tests of the backup flow: source, store, name, compression, summary, progress, result; and its
// refusals, errors, the empty store list, and quitting while it runs.
import test from 'ava';
import { InterruptedError, NoSpaceError } from '../../core/errors.js';
import type { BackupOutcome, Store } from '../../rescue-ui/backend/port.js';
import { FakeBackend, defaultBackupPlan, fakeDisk } from './fake-backend.js';
import { keys, renderApp, type Harness } from './ui-harness.js';

const MiB = 1024 * 1024;
const source = fakeDisk('/dev/sda', 1024, [
  { n: 1, fs: 'vfat', label: 'ESP', mib: 64, usedMib: 2 },
  { n: 2, fs: 'ext4', label: 'root', mib: 900, usedMib: 300 },
]);
const other = fakeDisk('/dev/sdb', 4096, [{ n: 1, fs: 'ext4', label: 'STORE', mib: 4000, usedMib: 100 }]);
const store: Store = { device: '/dev/sdb1', disk: '/dev/sdb', fsType: 'ext4', label: 'STORE', sizeBytes: 4000 * MiB, usedBytes: 100 * MiB, mountedAt: undefined };

function backend(extra: ConstructorParameters<typeof FakeBackend>[0] = {}) {
  return new FakeBackend({ disks: [source, other], stores: [store], ...extra });
}

/** Main menu → Back up → sda → sdb1 → default name → zstd: the summary. */
async function toSummary(ui: Harness): Promise<string> {
  await ui.waitFor('Power off');
  await ui.press(keys.enter);
  await ui.waitFor('Which disk do you want to back up?');
  await ui.waitFor('/dev/sda');
  await ui.press(keys.enter);
  await ui.waitFor('Where should the image of /dev/sda go?');
  await ui.waitFor('/dev/sdb1');
  await ui.press(keys.enter);
  await ui.waitFor('Name of the image on /dev/sdb1');
  await ui.press(keys.enter);
  await ui.waitFor('How should the image be compressed?');
  await ui.press(keys.enter);
  return ui.waitFor('Summary');
}

const outcome: BackupOutcome = { imageDir: '/dev/sdb1:/sda-2026-11-26-1405', bytes: 150 * MiB, seconds: 83, partitions: 2, verified: { ok: true, checkedFiles: 17, checkedPartitions: 2, problems: [], seconds: 4.2 } };

test('a backup from the menu to the result: the choices, the summary with free space, progress per partition and overall, the result', async (t) => {
  const b = backend();
  const ui = renderApp(b);
  const summary = await toSummary(ui);
  t.true(b.calls.includes('listStores /dev/sda'), 'stores on other disks only');
  t.regex(summary, /Image +\/dev\/sdb1:\/sda-2026-11-26-1405/, 'the name defaults to the disk and the date');
  t.regex(summary, /Compression +zstd/);
  t.regex(summary, /Space +needs up to 304 MiB; 10\.0 GiB free on \/dev\/sdb1/);
  t.regex(summary, /sda2 +ext4, used blocks +300 MiB/);
  t.regex(summary, /Enter: start the backup/);
  t.true(b.calls.includes('planBackup /dev/sda /dev/sdb1 sda-2026-11-26-1405 zstd'));
  await ui.press(keys.enter);
  await ui.waitFor('starting');
  const job = b.jobs[0]!;
  job.emit({ type: 'start', job: 'backup', device: '/dev/sda', image: 'x', partitions: 2, totalBytes: 302 * MiB });
  job.emit({ type: 'step', job: 'backup', message: 'saving sda2 (ext4)' });
  job.emit({ type: 'partition-done', job: 'backup', partition: 'sda1', bytes: MiB, seconds: 0.4 });
  job.emit({ type: 'progress', job: 'backup', partition: 'sda2', percent: 50, overallPercent: 50.3, bytesPerSecond: 100 * MiB, etaSeconds: 75 });
  const running = await ui.waitFor('50.3%');
  t.regex(running, /Backing up: saving sda2 \(ext4\)/);
  t.regex(running, /sda2 +\[#{22}\.{22}\] +50\.0%/);
  t.regex(running, /overall +\[#{22}\.{22}\] +50\.3%/);
  t.regex(running, /Rate 100 MiB\/s {3}ETA 1:15/);
  t.regex(running, /done sda1: 1\.0 MiB in 0\.4 s/);
  job.resolve(outcome);
  const result = await ui.waitFor('Backup complete');
  t.regex(result, /Size +150 MiB \(2 partitions\)/);
  t.regex(result, /Time +1:23/);
  t.regex(result, /Verification OK: 17 checksums, 2 partition images checked/);
  await ui.press(keys.enter);
  await ui.waitFor('Main menu');
  ui.unmount();
});

test("a refusal from the library's plan is shown, and Enter does not start anything", async (t) => {
  const b = backend({ backupPlan: (req) => ({ ...defaultBackupPlan(req), refusals: [{ code: 'mounted', message: '/dev/sda2 is mounted on /mnt; unmount it first (an image of a mounted filesystem is not consistent)' }] }) });
  const ui = renderApp(b);
  const summary = await toSummary(ui);
  t.regex(summary, /REFUSED: \/dev\/sda2 is mounted on \/mnt/);
  t.notRegex(summary, /Enter: start/);
  await ui.press(keys.enter);
  t.false(b.calls.some((c) => c.startsWith('runBackup')));
  await ui.press(keys.esc);
  await ui.waitFor('How should the image be compressed?');
  ui.unmount();
});

test('the name can be changed: Backspace and letters; q is a letter there, not quit', async (t) => {
  const b = backend();
  const ui = renderApp(b);
  await ui.waitFor('Power off');
  await ui.press(keys.enter);
  await ui.waitFor('/dev/sda');
  await ui.press(keys.enter);
  await ui.waitFor('/dev/sdb1');
  await ui.press(keys.enter);
  await ui.waitFor('sda-2026-11-26-1405');
  for (let i = 0; i < 'sda-2026-11-26-1405'.length; i++) await ui.press(keys.backspace);
  await ui.type('laptop q/1');
  await ui.waitFor('laptopq1');
  t.deepEqual(ui.exits, [], 'q did not quit');
  await ui.press(keys.enter, keys.enter);
  await ui.waitFor('Summary');
  t.true(b.calls.includes('planBackup /dev/sda /dev/sdb1 laptopq1 zstd'), 'space and slash were not accepted');
  ui.unmount();
});

test('no store on another disk: the screen says what to attach', async (t) => {
  const ui = renderApp(backend({ stores: [{ ...store, disk: '/dev/sda' }] }));
  await ui.waitFor('Power off');
  await ui.press(keys.enter);
  await ui.waitFor('/dev/sda');
  await ui.press(keys.enter);
  const f = await ui.waitFor('No partition on another disk can hold it');
  t.regex(f, /Attach a disk with a filesystem/);
  ui.unmount();
});

test('a failed backup shows the error and its hint', async (t) => {
  const b = backend();
  const ui = renderApp(b);
  await toSummary(ui);
  await ui.press(keys.enter);
  await ui.waitFor('starting');
  b.jobs[0]!.reject(new NoSpaceError('the destination /run/lifeboat/stores/sdb1 is full', 'free space on the store, or choose another one'));
  const f = await ui.waitFor('Failed');
  t.regex(f, /Failed: the destination \/run\/lifeboat\/stores\/sdb1 is full/);
  t.regex(f, /Hint: free space on the store/);
  ui.unmount();
});

test('q during a backup asks first; n keeps it running, y stops it and quits once it has cleaned up', async (t) => {
  const b = backend();
  const ui = renderApp(b);
  await toSummary(ui);
  await ui.press(keys.enter);
  await ui.waitFor('starting');
  const job = b.jobs[0]!;
  await ui.press('q');
  await ui.waitFor('Stop the backup of /dev/sda and quit?');
  await ui.press('n');
  t.false(job.hooks.signal.aborted);
  t.deepEqual(ui.exits, []);
  await ui.press(keys.ctrlC);
  await ui.waitFor('Stop the backup of /dev/sda and quit?');
  await ui.press('y');
  t.true(job.hooks.signal.aborted, 'the job was told to stop');
  t.deepEqual(ui.exits, [], 'not before the job has stopped');
  job.reject(new InterruptedError('backup interrupted; the partial image was removed'));
  await new Promise((r) => setTimeout(r, 100));
  t.deepEqual(ui.exits, ['quit']);
  ui.unmount();
});

test('Esc during a backup asks whether to stop it; y stops it and says the partial image was removed', async (t) => {
  const b = backend();
  const ui = renderApp(b);
  await toSummary(ui);
  await ui.press(keys.enter);
  await ui.waitFor('starting');
  await ui.press(keys.esc);
  await ui.waitFor('Stop the backup? The partial image is removed.');
  await ui.press('y');
  b.jobs[0]!.reject(new InterruptedError('backup interrupted; the partial image was removed'));
  const f = await ui.waitFor('Stopped');
  t.regex(f, /Stopped: the backup was interrupted; the partial image was removed/);
  ui.unmount();
});

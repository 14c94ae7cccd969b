// Component tests of Verify, Disks, Log, Reboot and Power off: verdicts, the broken file, marks, the session's
// commands, confirmations and their failures.
import test from 'ava';
import { CommandError, InterruptedError } from '../../core/errors.js';
import { FakeBackend, fakeDisk, fakeImage } from './fake-backend.js';
import { keys, renderApp, type Harness } from './ui-harness.js';

async function open(ui: Harness, downs: number) {
  await ui.waitFor('Power off');
  for (let i = 0; i < downs; i++) await ui.press(keys.down);
  await ui.press(keys.enter);
}

/** Verify from the menu on the one image: the job under way, for the test to drive. */
async function startVerify(): Promise<{ b: FakeBackend; ui: Harness }> {
  const b = new FakeBackend({ images: [fakeImage('images/pc')] });
  const ui = renderApp(b);
  await open(ui, 3);
  await ui.waitFor('images/pc');
  await ui.press(keys.enter);
  await ui.waitFor('Verifying');
  return { b, ui };
}

test('verify: progress, then a clear verdict', async (t) => {
  const { b, ui } = await startVerify();
  b.jobs[0]!.emit({ type: 'progress', job: 'verify', partition: 'sda2', percent: 80, overallPercent: 79, bytesPerSecond: undefined, etaSeconds: 2 });
  await ui.waitFor('79.0%');
  b.jobs[0]!.resolve({ ok: true, checkedFiles: 17, checkedPartitions: 2, problems: [], seconds: 3.5 });
  const f = await ui.waitFor('VERIFIED');
  t.regex(f, /VERIFIED: images\/pc is intact/);
  t.regex(f, /17 checksums and 2 partition images checked in 3\.5 s/);
  ui.unmount();
});

test('a verify that ends interrupted (the library stopped it) shows "Stopped", never a verdict or a failure', async (t) => {
  const { b, ui } = await startVerify();
  b.jobs[0]!.emit({ type: 'progress', job: 'verify', partition: 'sda2', percent: 40, overallPercent: 39, bytesPerSecond: undefined, etaSeconds: 2 });
  await ui.waitFor('39.0%');
  // The library stopped it (the process got SIGTERM): not the screen's own Esc.
  b.jobs[0]!.reject(new InterruptedError('verify of /run/lifeboat/stores/sdb1/images/pc interrupted before it finished; this says nothing about the image'));
  const f = await ui.waitFor('Stopped');
  t.regex(ui.text(), /Stopped: the check was not finished\./);
  t.notRegex(f, /DAMAGED|damaged|Failed/);
  ui.unmount();
});

test('verify: a damaged image names the broken file', async (t) => {
  const { b, ui } = await startVerify();
  b.jobs[0]!.resolve({ ok: false, checkedFiles: 17, checkedPartitions: 2, problems: [{ file: 'sda2.ext4-ptcl-img.zst.ab', reason: 'SHA-256 does not match the manifest' }], seconds: 3.5 });
  const f = await ui.waitFor('DAMAGED');
  t.regex(f, /DAMAGED: images\/pc: SHA-256 does not match the manifest/);
  t.regex(f, /Broken file: sda2\.ext4-ptcl-img\.zst\.ab/);
  ui.unmount();
});

test('disks: model, size, table, partitions with fs, label, size and used; the live medium and mounted disks marked', async (t) => {
  const b = new FakeBackend({
    disks: [
      fakeDisk('/dev/sda', 512 * 1024, [{ n: 1, fs: 'ext4', label: 'root', mib: 500 * 1024, usedMib: 2048, mount: '/' }], { model: 'Samsung SSD 870' }),
      fakeDisk('/dev/sdb', 15 * 1024, [{ n: 1, fs: 'iso9660', label: 'LIFEBOAT', mib: 300 }], { liveMedium: true, removable: true }),
    ],
  });
  const ui = renderApp(b);
  await open(ui, 5);
  const f = await ui.waitFor('Samsung');
  t.regex(f, /\/dev\/sda +512 GiB +gpt +Samsung SSD 870 +\[MOUNTED\]/);
  t.regex(f, /1 sda1 +500 GiB +ext4 +root +used 2\.0 GiB +on \//);
  t.regex(f, /\/dev\/sdb +15\.0 GiB +gpt +\[LIVE MEDIUM, removable\]/);
  t.regex(f, /1 sdb1 +300 MiB +iso9660 +LIFEBOAT/);
  b.opts.disks = [fakeDisk('/dev/sdc', 2048, [])];
  await ui.press('r');
  await ui.waitFor('/dev/sdc');
  t.is(b.calls.filter((c) => c === 'listDisks').length, 2, 'r reads the disks again');
  ui.unmount();
});

test('disks: a failure to read them is shown, and r tries again', async (t) => {
  const b = new FakeBackend({ listDisksError: new Error('lsblk exited with code 1: permission denied') });
  const ui = renderApp(b);
  await open(ui, 5);
  const f = await ui.waitFor('Could not read the disks');
  t.regex(f, /lsblk exited with code 1: permission denied/);
  b.opts.listDisksError = undefined;
  b.opts.disks = [fakeDisk('/dev/vda', 1024, [])];
  await ui.press('r');
  await ui.waitFor('/dev/vda');
  t.pass();
  ui.unmount();
});

test("log: the session's commands with their results, following new ones", async (t) => {
  const b = new FakeBackend();
  b.addLog({ command: 'lsblk --json --bytes -o NAME', durationMs: 20 });
  b.addLog({ command: 'mount -o ro /dev/sdb1 /run/lifeboat/stores/sdb1', ok: false, exitCode: 32, durationMs: 7 });
  const ui = renderApp(b);
  await open(ui, 6);
  const f = await ui.waitFor('Log (2 commands)');
  t.regex(f, /12:00:01 ok +20 ms {2}lsblk --json --bytes -o NAME/);
  t.regex(f, /FAILED \(exit 32\) +7 ms {2}mount -o ro \/dev\/sdb1/);
  b.addLog({ command: 'blkid -p -o export /dev/sdb1' });
  await ui.waitFor('Log (3 commands)');
  t.regex(ui.frame(), /blkid -p -o export \/dev\/sdb1/);
  ui.unmount();
});

test('reboot asks first: n goes back, y runs it', async (t) => {
  const b = new FakeBackend();
  const ui = renderApp(b);
  await open(ui, 8);
  await ui.waitFor('Reboot now?');
  await ui.press('n');
  await ui.waitFor('Main menu');
  t.false(b.calls.includes('power reboot'));
  await ui.press(keys.enter);
  await ui.waitFor('Reboot now?');
  await ui.press('y');
  await ui.waitFor('Rebooting');
  t.true(b.calls.includes('power reboot'));
  ui.unmount();
});

test('power off that fails (no systemd here) shows why', async (t) => {
  const b = new FakeBackend({ powerError: new CommandError({ command: 'systemctl poweroff', exitCode: 1, stderrTail: 'System has not been booted with systemd as init system (PID 1).', durationMs: 5 }) });
  const ui = renderApp(b);
  await open(ui, 9);
  await ui.waitFor('Power off now?');
  await ui.press('y');
  await ui.waitFor('Power off failed');
  t.regex(ui.text(), /systemctl poweroff exited with code 1: System has not been booted with systemd/);
  await ui.press(keys.enter);
  await ui.waitFor('Main menu');
  t.true(b.calls.includes('power poweroff'));
  ui.unmount();
});

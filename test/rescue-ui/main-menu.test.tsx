// Component tests of the main menu and the keys that work everywhere: arrows and Enter, Esc back, q and Ctrl-C,
// the Shell entry, and the ASCII and Unicode drawings.
import test from 'ava';
import { FakeBackend, fakeDisk } from './fake-backend.js';
import { keys, renderApp } from './ui-harness.js';

const entries = ['Back up a disk', 'Restore an image', 'Repair boot (boot records only)', 'Verify an image', 'Clone a disk', 'Disks', 'Log', 'Shell', 'Reboot', 'Power off'];

test('the main menu lists the ten entries, the first selected', async (t) => {
  const ui = renderApp(new FakeBackend());
  const f = await ui.waitFor('Power off');
  for (const e of entries) t.true(f.includes(e), e);
  t.regex(f, /> Back up a disk/);
  t.regex(f, /Up\/Down choose {2}Enter open {2}q quit/);
  ui.unmount();
});

test('arrow keys move the selection, Enter opens, Esc comes back to the same entry', async (t) => {
  const backend = new FakeBackend({ disks: [fakeDisk('/dev/sda', 1024, [{ n: 1, fs: 'ext4', mib: 1000 }])] });
  const ui = renderApp(backend);
  await ui.waitFor('Power off');
  await ui.press(keys.down, keys.down, keys.down, keys.down, keys.up);
  t.regex(ui.frame(), /> Verify an image/);
  await ui.press(keys.down, keys.down, keys.enter);
  await ui.waitFor('Lifeboat - Disks');
  await ui.waitFor('/dev/sda');
  await ui.press(keys.esc);
  const f = await ui.waitFor('Main menu');
  t.regex(f, /> Disks/);
  ui.unmount();
});

test('q quits at once when no job runs; so does Ctrl-C', async (t) => {
  const a = renderApp(new FakeBackend());
  await a.waitFor('Power off');
  await a.press('q');
  t.deepEqual(a.exits, ['quit']);
  a.unmount();
  const b = renderApp(new FakeBackend());
  await b.waitFor('Power off');
  await b.press(keys.ctrlC);
  t.deepEqual(b.exits, ['quit']);
  b.unmount();
});

test('Shell ends the app with "shell", so the caller hands the terminal over', async (t) => {
  const ui = renderApp(new FakeBackend());
  await ui.waitFor('Power off');
  await ui.press(keys.down, keys.down, keys.down, keys.down, keys.down, keys.down, keys.down, keys.enter);
  t.deepEqual(ui.exits, ['shell']);
  ui.unmount();
});

test('ASCII fallback draws with + - | and >, Unicode with rounded corners and ›', async (t) => {
  const ascii = renderApp(new FakeBackend(), { ascii: true });
  const a = await ascii.waitFor('Power off');
  t.true(a.includes('+----'));
  t.regex(a, /\| > Back up a disk/);
  t.false(/[^\x00-\x7f]/.test(a), 'nothing but ASCII on the screen');
  ascii.unmount();
  const uni = renderApp(new FakeBackend(), { ascii: false });
  const u = await uni.waitFor('Power off');
  t.true(u.includes('╭'));
  t.true(u.includes('› Back up a disk'));
  uni.unmount();
});

test('the menu fits the Linux console: 80 columns, under 25 rows', async (t) => {
  const ui = renderApp(new FakeBackend());
  const f = await ui.waitFor('Power off');
  const lines = f.split('\n');
  t.true(lines.length < 25, `${lines.length} rows`);
  t.true(Math.max(...lines.map((l) => l.length)) <= 80);
  ui.unmount();
});

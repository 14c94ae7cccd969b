// Acceptance: a rescue UI ended in the middle of a backup leaves no trace, whether it gets SIGTERM (systemd stopping
// it, a kill) or its console hangs up (SIGHUP: the terminal is gone, so drawing fails too). tmux (80x25) runs
// `lifeboat ui` on real loop disks; a backup of a disk with 800 MiB of random data onto another disk's ext4
// partition is started from the menus, and the signal comes while partclone runs. Afterwards partclone is gone, the
// partial image folder was removed and the store is unmounted. Needs root, tmux and the imaging tools.
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { lifeboatBin } from '../helpers/cli.js';
import { ext4Disk, scratch, withMount, type LoopDisk } from '../helpers/loop.js';
import { startTmux, type TmuxSession } from '../../harness/tmux.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mountsOf = async (part: string) => String((await execa('findmnt', ['-n', '-o', 'TARGET', '-S', part], { reject: false })).stdout).split('\n').filter(Boolean);

/** Disks, the UI in tmux, a backup started from the menus; returns once partclone reads the source. */
async function backupUnderWay(t: ExecutionContext): Promise<{ ui: TmuxSession; uiPid: number; source: LoopDisk; store: LoopDisk; partcloneOnSource: () => Promise<string> }> {
  const { dir, attached } = await scratch(t);
  // Random data does not compress: the backup takes long enough to be caught while partclone runs.
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 1024, label: 'DATA', randomMiB: 800 });
  const store = await ext4Disk(attached, path.join(dir, 'store.img'), { sizeMiB: 1024, label: 'STORE' });
  // Teardowns run last-registered first: after the UI is gone, a mount it left is removed so the disk can go.
  t.teardown(async () => {
    for (const m of (await mountsOf(store.part(1))).reverse()) await execa('umount', [m], { reject: false });
  });

  const command = `node ${lifeboatBin} ui --disk ${source.device} --disk ${store.device}; echo LIFEBOAT-UI-EXIT=$?; sleep 600`;
  const ui = await startTmux(command, { LANG: 'C.UTF-8', TERM: 'xterm-256color', PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' });
  t.teardown(() => ui.kill());

  await ui.waitFor(/Power off/, 60_000);
  await ui.choose(/Back up a disk/);
  await ui.waitFor(/Which disk do you want to back up\?[\s\S]*loop/, 60_000);
  await ui.choose(new RegExp(`${source.device} `));
  await ui.waitFor(new RegExp(`${store.part(1)} `), 60_000);
  await ui.choose(new RegExp(`${store.part(1)} `));
  await ui.waitFor(/Name of the image/);
  await ui.keys('Enter');
  await ui.waitFor(/How should the image be compressed/);
  await ui.choose(/zstd/);
  await ui.waitFor(/Enter: start the backup/, 60_000);
  await ui.keys('Enter');

  // The UI's node process is the pane shell's only child; partclone runs under it (through a pty). The signal is
  // sent as soon as partclone reads the source (from the page cache the data may go fast, and the UI's verification
  // afterwards shows progress too, so the screen alone is not enough).
  const pane = await ui.panePid();
  const uiPid = Number((await readFile(`/proc/${pane}/task/${pane}/children`, 'utf8')).trim().split(/\s+/)[0]);
  const partcloneOnSource = async () => (await execa('pgrep', ['-f', `partclone\\.ext4 .*${source.part(1)}`], { reject: false })).stdout.trim();
  const deadline = Date.now() + 120_000;
  while (!(await partcloneOnSource()) && Date.now() < deadline && !/Backup complete|Failed/.test(await ui.capture())) await sleep(20);
  t.truthy(await partcloneOnSource(), `partclone was running when the signal came; the screen:\n${await ui.capture()}`);
  t.regex((await mountsOf(store.part(1))).join(' '), /\/run\/lifeboat\/stores\//, 'the store was mounted by the UI');
  return { ui, uiPid, source, store, partcloneOnSource };
}

/** No partclone, no mount, nothing on the store but lost+found. */
async function noTrace(t: ExecutionContext, store: LoopDisk, partcloneOnSource: () => Promise<string>): Promise<void> {
  t.is(await partcloneOnSource(), '', 'no partclone left');
  t.deepEqual(await mountsOf(store.part(1)), [], 'the store is unmounted');
  const left = await withMount(store.part(1), (m) => readdir(m), ['-o', 'ro']);
  t.deepEqual(left.filter((f) => f !== 'lost+found'), [], 'no image and no partial folder on the store');
}

test('SIGTERM mid-backup: the UI stops partclone, removes the partial image, unmounts the store and exits 143', async (t) => {
  const { ui, uiPid, store, partcloneOnSource } = await backupUnderWay(t);
  process.kill(uiPid, 'SIGTERM');
  const after = await ui.waitFor(/LIFEBOAT-UI-EXIT=\d+/, 60_000);
  t.regex(after, /LIFEBOAT-UI-EXIT=143/);
  t.notRegex(after, /Main menu/, 'the main screen is back (the alternate screen was left)');
  await noTrace(t, store, partcloneOnSource);
});

test('the console hangs up mid-backup (the terminal is gone): the same clean-up, though nothing can be drawn', async (t) => {
  const { ui, uiPid, store, partcloneOnSource } = await backupUnderWay(t);
  await ui.kill(); // the tmux server and its pty go: SIGHUP, and every write to the terminal fails from now on
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (await readFile(`/proc/${uiPid}/stat`, 'utf8').catch(() => ''))) await sleep(100);
  t.is(await readFile(`/proc/${uiPid}/stat`, 'utf8').catch(() => ''), '', 'the UI has ended');
  await noTrace(t, store, partcloneOnSource);
});

// Acceptance: the rescue UI in a real terminal. tmux (80x25) runs `lifeboat ui` limited to three loop disks; keys
// drive a backup of a real GPT disk (FAT32, ext4, XFS, NTFS, swap, raw) onto a store partition of a second disk, a
// refused restore onto the store's own disk, and a restore onto a blank third disk; capture-pane checks each screen,
// and the restored disk's files match the source's. The screens are saved to test-artifacts/rescue-ui-screens.txt
// (the README shows them). Needs root, tmux and the imaging tools.
import test from 'ava';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lifeboatBin, repoRoot } from '../helpers/cli.js';
import { fingerprint, makeGptSource } from '../helpers/fixtures.js';
import { attach, ext4Disk, makeSparse, scratch } from '../helpers/loop.js';
import { startTmux } from '../../harness/tmux.js';

const artifacts = path.join(repoRoot, 'test-artifacts');

test('tmux: lifeboat ui backs up a disk onto another disk\'s partition and restores it onto a third; the files match', async (t) => {
  const { dir, attached } = await scratch(t);
  const source = await makeGptSource(path.join(dir, 'source.img'));
  attached.push(source.disk);
  const store = await ext4Disk(attached, path.join(dir, 'store.img'), { sizeMiB: 1024, label: 'STORE' });
  const targetFile = path.join(dir, 'target.img');
  await makeSparse(targetFile, 800);
  const target = await attach(targetFile);
  attached.push(target);

  const command = `node ${lifeboatBin} ui --disk ${source.disk.device} --disk ${store.device} --disk ${target.device}; echo LIFEBOAT-UI-EXIT=$?; sleep 600`;
  // Its own folder for store mounts, so that the check below does not see the mounts of tests running beside it.
  const storesDir = path.join(dir, 'stores');
  const ui = await startTmux(command, { LANG: 'C.UTF-8', TERM: 'xterm-256color', PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', LIFEBOAT_STORES_DIR: storesDir });
  t.teardown(() => ui.kill());
  const screens: { title: string; screen: string }[] = [];
  const keep = (title: string, screen: string) => screens.push({ title, screen: screen.replace(/\s+$/gm, '').trimEnd() });
  t.teardown(async () => {
    await mkdir(artifacts, { recursive: true });
    await writeFile(path.join(artifacts, 'rescue-ui-screens.txt'), screens.map((s) => `### ${s.title}\n\n${s.screen}\n`).join('\n'));
  });

  keep('Main menu', await ui.waitFor(/Power off/));
  await ui.choose(/Disks/);
  const disks = await ui.waitFor(new RegExp(`${target.device} `), 60_000);
  t.regex(disks, new RegExp(`${source.disk.name}p2 +200 MiB +ext4 +lbroot +used`));
  t.regex(disks, /vfat +LBESP/);
  keep('Disks', disks);
  await ui.keys('Escape');

  // Back up: source disk, the store partition, the default name, zstd, the summary, progress, the result.
  await ui.waitFor(/Main menu/);
  await ui.choose(/Back up a disk/);
  await ui.waitFor(/Which disk do you want to back up\?[\s\S]*loop/, 60_000);
  await ui.choose(new RegExp(`${source.disk.device} `));
  await ui.waitFor(new RegExp(`${store.part(1)} `), 60_000);
  await ui.choose(new RegExp(`${store.part(1)} `));
  const name = await ui.waitFor(/Name of the image/);
  const imageName = new RegExp(`(${source.disk.name}-\\d{4}-\\d\\d-\\d\\d-\\d{4})`).exec(name)?.[1];
  t.truthy(imageName, 'the name defaults to the disk and the date');
  await ui.keys('Enter');
  await ui.waitFor(/How should the image be compressed/);
  await ui.choose(/zstd/);
  const summary = await ui.waitFor(/Enter: start the backup/, 60_000);
  t.regex(summary, /Space +needs up to [\d.]+ MiB; [\d.]+ MiB free on/);
  keep('Back up: the summary', summary);
  await ui.keys('Enter');
  // A screen with progress under way, if the backup is not too quick to catch one.
  const progress = await ui.waitFor(/overall +\S+ +(?:[1-9]\d?|100)\.\d%|Backup complete/, 300_000);
  if (!/Backup complete/.test(progress)) keep('Back up: progress', progress);
  const result = await ui.waitFor(/Backup complete/, 300_000);
  t.regex(result, /Verification OK/);
  keep('Back up: the result', result);
  await ui.keys('Enter');

  // Restore: the image found on the store, its contents, a refused target (the store's own disk), the typed name.
  await ui.waitFor(/Main menu/);
  await ui.choose(/Restore an image/);
  await ui.waitFor(new RegExp(imageName!), 120_000);
  keep('Restore: the images found', await ui.capture());
  await ui.choose(new RegExp(imageName!));
  const inspect = await ui.waitFor(/Checksums OK/, 120_000);
  t.regex(inspect, /Lifeboat image of loop\d+ \(gpt\)/);
  keep('Restore: what the image holds', inspect);
  await ui.keys('Enter');
  await ui.waitFor(new RegExp(`${target.device} `), 60_000);
  keep('Restore: the target, sizes compared', await ui.capture());
  await ui.choose(new RegExp(`${store.device} `));
  const refused = await ui.waitFor(/REFUSED/, 60_000);
  t.regex(refused, /holds the image itself/);
  keep('Restore: a refusal', refused);
  await ui.keys('Escape');
  await ui.waitFor(new RegExp(`${target.device} `), 60_000);
  await ui.choose(new RegExp(`${target.device} `));
  // The target (800 MiB) is larger than the image needs: keep the image's partition sizes (the files then match).
  const grow = await ui.waitFor(/What should happen to the extra space\?/, 60_000);
  t.regex(grow, /Grow loop\d+p6 to the disk's end \(raw copy: only the partition grows\)/, 'the last partition is the raw one');
  keep('Restore: a larger target, grow or keep', grow);
  await ui.choose(/Keep the partitions as in the image/);
  const confirm = await ui.waitFor(new RegExp(`Type ${target.name} to go on`), 60_000);
  keep('Restore: the plan and the confirmation', confirm);
  t.notRegex(confirm, /--grow/, "the library's note for the CLI is not shown: the question stood for it");
  await ui.type(target.name);
  await ui.keys('Enter');
  const restored = await ui.waitFor(/Restore complete/, 300_000);
  keep('Restore: the result', restored);
  await ui.keys('Enter');
  await ui.waitFor(/Main menu/);

  // The Log screen shows the commands of the session; the Shell entry; then q leaves.
  await ui.choose(/Log/);
  const log = await ui.waitFor(/Log \(\d+ commands\)/);
  t.regex(log, /ok +\d+ ms {2}(sync|partx|umount|blkid)/);
  keep('Log', log);
  await ui.keys('Escape');
  await ui.waitFor(/Main menu/);

  // Shell: the terminal goes to a shell (Ctrl-C there does not end the UI), exit comes back to the menu.
  await ui.choose(/Shell/);
  await ui.waitFor(/Type exit to return to the menu/);
  await ui.type('echo SHELL-$((6*7))');
  await ui.keys('Enter');
  await ui.waitFor(/SHELL-42/);
  await ui.keys('C-c');
  await ui.type('exit');
  await ui.keys('Enter');
  await ui.waitFor(/Main menu/);
  await ui.keys('q');
  await ui.waitFor(/LIFEBOAT-UI-EXIT=0/);

  const mounts = await readFile('/proc/self/mounts', 'utf8');
  t.false(mounts.includes(storesDir), 'every store was unmounted');
  t.deepEqual(await fingerprint(target), await fingerprint(source.disk));
});

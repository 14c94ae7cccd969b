// Slow suite (acceptance): the ISO boots into the rescue UI. Under QEMU (TCG, BIOS CD) the serial console shows the
// main menu after the entry point's marker; through it, the Shell entry hands the terminal to a shell, where
// /dev/vcs1 (the text of tty1) shows the same menu on the screen; QEMU's screendump of the VGA console is saved as
// test-artifacts/iso-ui-tty1.png, with the serial log beside it; leaving the shell returns to the menu.
// Needs root and qemu-system-x86 (see iso-under-test.ts for the ISO); LIFEBOAT_SKIP_ISO_BOOT=1 skips the suite.
import test from 'ava';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { tempDir } from '../helpers/loop.js';
import { isoUnderTest, skipIsoBoot } from './iso-under-test.js';
import { startIsoVm } from '../../harness/qemu-vm.js';

const artifacts = path.join(repoRoot, 'test-artifacts');
const menu = /Back up a disk[\s\S]*Restore an image[\s\S]*Repair boot \(boot records only\)[\s\S]*Verify an image[\s\S]*Power off/;
const down = '\x1b[B';

let iso = '';
test.before(async (t) => {
  if (skipIsoBoot) return;
  iso = await isoUnderTest((l) => t.log(l));
});

(skipIsoBoot ? test.skip : test.serial)('bios-cd: the console shows the rescue UI main menu after boot (serial and tty1), with a screendump', async (t) => {
  const dir = await tempDir('lifeboat-iso-ui-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const vm = await startIsoVm(iso, 'bios-cd', dir, { monitor: true });
  t.teardown(async () => {
    await vm.stop();
    await mkdir(artifacts, { recursive: true });
    await writeFile(path.join(artifacts, 'iso-ui-serial.log'), vm.serial());
  });
  const marker = await vm.waitFor(/LIFEBOAT-READY node=\S+/, 0, 300_000);
  const markerSeconds = vm.seconds();
  const shown = await vm.waitFor(menu, marker, 180_000);
  const menuSeconds = vm.seconds();
  t.log(`serial: marker after ${markerSeconds.toFixed(1)} s, the main menu after ${menuSeconds.toFixed(1)} s of QEMU (${(menuSeconds - markerSeconds).toFixed(1)} s for Node, Ink and React)`);
  t.regex(vm.serial().slice(marker, shown), /\+-{20,}/, 'ASCII borders on the serial console (TERM=vt220)');

  // Shell: seven down from "Back up a disk", Enter; the shell says how to come back.
  await new Promise((r) => setTimeout(r, 1500));
  for (let i = 0; i < 7; i++) {
    vm.send(down);
    await new Promise((r) => setTimeout(r, 400));
  }
  vm.send('\r');
  const shell = await vm.waitFor(/Type exit to return to the menu\.[\s\S]*?root@[^\s:]+:[^\n]*# /, shown, 60_000);

  // tty1's text (/dev/vcs1: 80x25 characters, no line ends) shows the menu too; it may draw a little later.
  let from = shell;
  let screen = '';
  let size = { rows: 25, cols: 80 };
  for (let i = 0; i < 12 && !/Power off/.test(screen); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 5000));
    vm.send('echo VCS-BEGIN $(stty -F /dev/tty1 size); cat /dev/vcs1; echo; echo VCS-END\n');
    const end = await vm.waitFor(/VCS-BEGIN \d+ \d+\r?\n[\s\S]*?VCS-END\r?\n/, from, 60_000);
    const m = /VCS-BEGIN (\d+) (\d+)\r?\n([\s\S]*?)\r?\nVCS-END/.exec(vm.serial().slice(from, end));
    screen = m?.[3] ?? '';
    size = { rows: Number(m?.[1] ?? 25), cols: Number(m?.[2] ?? 80) };
    from = end;
  }
  t.regex(screen, /Lifeboat - Main menu/);
  t.regex(screen.replace(/\s+/g, ' '), /> Back up a disk .*Restore an image .*Repair boot \(boot records only\) .*Verify an image .*Disks .*Log .*Shell .*Reboot .*Power off/);
  t.log(`tty1 is ${size.cols}x${size.rows}`);
  const flat = screen.replace(/\r?\n/g, '');
  const tty1 = Array.from({ length: size.rows }, (_, i) => flat.slice(i * size.cols, (i + 1) * size.cols).trimEnd()).join('\n').trimEnd();
  await mkdir(artifacts, { recursive: true });
  await writeFile(path.join(artifacts, 'iso-ui-tty1.txt'), `${tty1}\n`);

  const png = path.join(artifacts, 'iso-ui-tty1.png');
  await rm(png, { force: true });
  await vm.monitor(`screendump ${png} -f png`);
  const head = (await readFile(png)).subarray(0, 8);
  t.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG of the VGA console');

  // Leaving the shell returns to the menu.
  vm.send('exit\n');
  await vm.waitFor(menu, from, 60_000);
  t.pass();
});

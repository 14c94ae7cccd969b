// Stage: the live system's settings: host name, locale, keymap, time zone, autologin on tty1 and the serial
// console into the Lifeboat entry point, and no timer that touches disks on its own.
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { note, toolsOf } from '../context.js';
import type { Step } from '../driver.js';
import { removeInRoot, symlinkInRoot, writeRootFile } from '../root-files.js';
import { autologinDropIn, fstab, hostsFile, keyboardFile, localeFile, localeGenLine, rootBashProfile } from '../system/files.js';

/** Timers and services a recovery system must not run: updates, and anything that writes to the user's disks. */
/**
 * Files that name one machine, made by package scripts while bootstrapping (nvme-cli's NVMe host identity): a live
 * system boots on many machines, and left in, they would also make every build of the root differ.
 */
export const perMachineFiles: readonly string[] = ['/etc/nvme/hostid', '/etc/nvme/hostnqn'];

export const maskedUnits: readonly string[] = [
  'apt-daily.timer',
  'apt-daily-upgrade.timer',
  'fstrim.timer',
  'e2scrub_all.timer',
  'e2scrub_reap.service',
  'xfs_scrub_all.timer',
  // mdadm's: a periodic check of every array writes to its members; its monitor and last-resort assembly act on arrays
  // by themselves.
  'mdcheck_start.timer',
  'mdcheck_continue.timer',
  'mdmonitor-oneshot.timer',
  'mdmonitor.service',
  // lvm2's: monitoring of active LVs by dmeventd (it may extend or repair them).
  'lvm2-monitor.service',
];

/** The systemctl argv that enables the serial console's getty (besides tty1, which is on by default). */
export function enableUnitsArgs(units: readonly string[]): string[] {
  return ['systemctl', 'enable', ...units];
}

export const configureSystem: Step = {
  name: 'configure system',
  async run(ctx) {
    const c = ctx.config;
    const root = ctx.paths.root;
    const tools = toolsOf(ctx);
    await writeRootFile(root, '/etc/hostname', `${c.hostname}\n`);
    await writeRootFile(root, '/etc/hosts', hostsFile(c.hostname));
    await writeRootFile(root, '/etc/fstab', fstab());
    await writeRootFile(root, '/etc/machine-id', ''); // made at boot: every boot is a new machine
    for (const file of perMachineFiles) await removeInRoot(root, file);

    // Debian 13 keeps the locale in /etc/locale.conf; /etc/default/locale links to it (tmpfiles.d restores the link).
    await writeRootFile(root, '/etc/locale.conf', localeFile(c.locale));
    await symlinkInRoot(root, '/etc/default/locale', '../locale.conf');
    if (c.locale !== 'C.UTF-8') {
      await writeRootFile(root, '/etc/locale.gen', localeGenLine(c.locale));
      await tools.runInRoot(root, ['locale-gen'], { signal: ctx.signal });
    }
    if (c.keymap !== 'us') await writeRootFile(root, '/etc/default/keyboard', keyboardFile(c.keymap));
    const zone = c.timezone === 'UTC' ? 'Etc/UTC' : c.timezone;
    await symlinkInRoot(root, '/etc/localtime', `/usr/share/zoneinfo/${zone}`);
    await writeRootFile(root, '/etc/timezone', `${zone}\n`);

    await writeRootFile(root, '/etc/systemd/system/getty@tty1.service.d/autologin.conf', autologinDropIn('screen'));
    const units: string[] = [];
    if (c.serialConsole.enabled) {
      const port = c.serialConsole.port;
      await writeRootFile(root, `/etc/systemd/system/serial-getty@${port}.service.d/autologin.conf`, autologinDropIn('serial', c.serialConsole.baud));
      units.push(`serial-getty@${port}.service`);
    }
    await writeRootFile(root, '/root/.bash_profile', rootBashProfile(c));
    await chmod(path.join(root, 'root'), 0o700);
    if (units.length > 0) await tools.runInRoot(root, enableUnitsArgs(units));
    await tools.runInRoot(root, ['systemctl', 'mask', ...maskedUnits]);
    note(ctx, `autologin into the Lifeboat entry point on tty1${c.serialConsole.enabled ? ` and ${c.serialConsole.port}` : ''}`);
    return `${c.hostname}, ${c.locale}, keymap ${c.keymap}, ${zone}`;
  },
};

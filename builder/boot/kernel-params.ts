// The kernel command line of each boot menu entry: live-boot, the consoles, the user's parameters, autorun.
import type { BootEntry, IsoConfig } from '../../iso-config/config.js';
import { autorunKernelParams } from '../../core/live/cmdline.js';

/** The consoles: the serial port first, the screen last (the last one is /dev/console, where systemd reports). */
export function consoleParams(c: IsoConfig): string[] {
  return [...(c.serialConsole.enabled ? [`console=${c.serialConsole.port},${c.serialConsole.baud}n8`] : []), 'console=tty0'];
}

/** Later parameters win, so an entry's own lifeboat.job=none turns the config's autorun off for that entry. */
export function kernelParams(c: IsoConfig, entry: BootEntry): string[] {
  return [
    'boot=live',
    ...consoleParams(c),
    ...autorunKernelParams(c.autorun),
    ...c.boot.kernelParams,
    ...entry.params,
    ...(entry.toRam ? ['toram'] : []),
  ];
}

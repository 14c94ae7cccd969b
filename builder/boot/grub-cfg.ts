// GRUB's configuration: the menu (one grub.cfg for BIOS and UEFI) and the BIOS core image's early config.
import type { IsoConfig } from '../../iso-config/config.js';
import { kernelParams } from './kernel-params.js';

/** Where the kernel and initrd sit on the ISO (live-boot finds the squashfs in /live by itself). */
export const isoKernel = '/live/vmlinuz';
export const isoInitrd = '/live/initrd.img';

/** The file both GRUBs search for to find the medium; Debian's signed CD GRUB looks for exactly this one. */
export const mediumTagFile = '/.disk/info';

/** /boot/grub/grub.cfg: read by the BIOS core image and by Debian's signed gcdx64.efi alike. */
export function grubConfig(c: IsoConfig): string {
  const lines = ['# Lifeboat boot menu, the same for BIOS and UEFI. Written by lifeboat iso build.', `set timeout=${c.boot.timeout}`, `set default=${c.boot.default}`];
  if (c.serialConsole.enabled) {
    const unit = Number(c.serialConsole.port.slice('ttyS'.length));
    lines.push(`serial --unit=${unit} --speed=${c.serialConsole.baud}`, 'terminal_input console serial', 'terminal_output console serial');
  }
  for (const entry of c.boot.entries) {
    lines.push(
      '',
      `menuentry '${entry.label}' --id ${entry.id} {`,
      `\techo 'Loading ${entry.label} ...'`,
      `\tlinux ${isoKernel} ${kernelParams(c, entry).join(' ')}`,
      `\tinitrd ${isoInitrd}`,
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Embedded in the BIOS core image: find the medium (CD or USB disk) and read /boot/grub/grub.cfg from it. */
export function biosEarlyConfig(): string {
  return [
    `if [ -z "$root" -o ! -e "($root)${mediumTagFile}" ]; then`,
    `  search --no-floppy --file --set=root ${mediumTagFile}`,
    'fi',
    'set prefix=($root)/boot/grub',
    '',
  ].join('\n');
}

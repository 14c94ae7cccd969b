// Stage: the hybrid ISO (xorriso): El Torito BIOS and UEFI boot as a CD, and an MBR/GPT so it boots as a USB disk.
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { clampTimes } from '../clamp-times.js';
import { note, toolOutput, toolsOf } from '../context.js';
import type { Step } from '../driver.js';
import { biosImage, efiImageName } from './install-boot-loaders.js';

/** The GPT type of an EFI system partition. */
export const espType = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

/** GRUB's MBR boot code for hybrid ISOs, from the tools tree (its /usr is the sandbox's /usr). */
export const hybridMbr = '/usr/lib/grub/i386-pc/boot_hybrid.img';

export interface IsoLayout {
  staging: string;
  efiImage: string;
  output: string;
  volumeLabel: string;
  version: string;
}

export function xorrisoArgs(p: IsoLayout): string[] {
  return [
    '-as', 'mkisofs',
    '-o', p.output,
    '-iso-level', '3',
    '-full-iso9660-filenames',
    '-joliet', '-joliet-long',
    '-rational-rock',
    '-volid', p.volumeLabel,
    '-appid', `LIFEBOAT ${p.version}`,
    '-publisher', 'LIFEBOAT',
    '-preparer', 'LIFEBOAT ISO BUILD',
    // USB disk: GRUB's hybrid MBR code, partitions from 16 blocks on, the EFI image as a GPT EFI system partition.
    '-partition_offset', '16',
    '--grub2-mbr', hybridMbr,
    '--mbr-force-bootable',
    '-append_partition', '2', espType, p.efiImage,
    '-appended_part_as_gpt',
    // CD, BIOS: El Torito no-emulation boot of GRUB's core image, patched with its own location.
    '-eltorito-catalog', 'boot/grub/boot.cat',
    '-eltorito-boot', biosImage,
    '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table', '--grub2-boot-info',
    // CD, UEFI: a second El Torito entry pointing at the appended EFI system partition.
    '-eltorito-alt-boot',
    '-e', '--interval:appended_partition_2:all::',
    '-no-emul-boot',
    p.staging,
  ];
}

export const makeIso: Step = {
  name: 'make iso',
  async run(ctx) {
    const partial = `${ctx.paths.iso}.partial`;
    await rm(partial, { force: true });
    const epoch = ctx.options.sourceDateEpoch;
    if (epoch !== undefined) note(ctx, `SOURCE_DATE_EPOCH ${epoch}: ${await clampTimes(ctx.paths.staging, epoch)} entries of the ISO tree clamped to it`);
    await toolsOf(ctx).run(
      ['xorriso', ...xorrisoArgs({ staging: ctx.paths.staging, efiImage: path.join(ctx.paths.work, efiImageName), output: partial, volumeLabel: ctx.config.volumeLabel, version: ctx.version })],
      { ro: [ctx.paths.work], rw: [ctx.paths.out], onLine: toolOutput(ctx), signal: ctx.signal },
    );
    await rename(partial, ctx.paths.iso);
    ctx.state.written.push(ctx.paths.iso);
    return `${((await stat(ctx.paths.iso)).size / 1024 / 1024).toFixed(0)} MiB`;
  },
};

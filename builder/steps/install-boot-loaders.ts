// Stage: what boots the ISO: the kernel and initrd, the GRUB menu, a BIOS GRUB core image for El Torito (and the
// hybrid MBR), and the EFI boot image with Debian's signed shim and signed CD GRUB for UEFI and Secure Boot.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../cache.js';
import { toolsOf, type BuildContext } from '../context.js';
import type { Step } from '../driver.js';
import { biosEarlyConfig, grubConfig, isoInitrd, isoKernel, mediumTagFile } from '../boot/grub-cfg.js';
import { diskInfo } from '../system/files.js';

/** Where the boot images go: the BIOS core image inside the ISO tree, the EFI image beside it (appended). */
export const biosImage = 'boot/grub/bios.img';
export const efiImageName = 'efi.img';

/** Modules built into the BIOS core image: enough to find the medium and boot Linux with a serial console. */
export const biosModules: readonly string[] = [
  'biosdisk', 'iso9660', 'part_msdos', 'part_gpt', 'search', 'search_fs_file', 'search_label', 'normal', 'configfile',
  'linux', 'test', 'echo', 'serial', 'terminal', 'gzio', 'ls', 'cat', 'halt', 'reboot', 'sleep', 'minicmd',
];

export function grubMkimageArgs(earlyConfig: string, output: string): string[] {
  return ['--format=i386-pc-eltorito', '--prefix=/boot/grub', `--config=${earlyConfig}`, `--output=${output}`, ...biosModules];
}

/** The EFI boot image's files: shim as the fallback boot loader, which starts grubx64.efi beside it. */
export const efiFiles: readonly { from: string; to: string }[] = [
  { from: '/usr/lib/shim/shimx64.efi.signed', to: '::/EFI/boot/bootx64.efi' },
  { from: '/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed', to: '::/EFI/boot/grubx64.efi' },
  { from: '/usr/lib/shim/mmx64.efi.signed', to: '::/EFI/boot/mmx64.efi' },
];

/** A FAT image big enough for the files plus a margin, in KiB, rounded up to whole MiB. */
export function efiImageKib(fileBytes: number): number {
  return Math.ceil((fileBytes * 1.1 + 512 * 1024) / (1024 * 1024)) * 1024;
}

/** A stable FAT volume id from the config, so equal configs give equal images. */
export function efiVolumeId(configJson: string): string {
  return createHash('sha256').update(configJson).digest('hex').slice(0, 8);
}

export function mkfsFatArgs(image: string, kib: number, volumeId: string): string[] {
  return ['-C', '-n', 'EFIBOOT', '-i', volumeId, image, String(kib)];
}

export function efiCopyCommands(image: string): string[][] {
  return [['mmd', '-i', image, '::/EFI', '::/EFI/boot'], ...efiFiles.map((f) => ['mcopy', '-i', image, f.from, f.to])];
}

type BootMode = 'bios' | 'uefi';

/** Each boot mode's image, by name. */
const bootModes: Record<BootMode, (ctx: BuildContext) => Promise<string>> = {
  async bios(ctx) {
    const early = path.join(ctx.paths.work, 'grub-early.cfg');
    await writeFile(early, biosEarlyConfig());
    const output = path.join(ctx.paths.staging, biosImage);
    await mkdir(path.dirname(output), { recursive: true });
    await toolsOf(ctx).run(['grub-mkimage', ...grubMkimageArgs(early, output)], { ro: [early], rw: [path.dirname(output)] });
    return `BIOS core image ${((await stat(output)).size / 1024).toFixed(0)} KiB`;
  },
  async uefi(ctx) {
    const tools = toolsOf(ctx);
    const image = path.join(ctx.paths.work, efiImageName);
    let bytes = 0;
    for (const f of efiFiles) bytes += (await stat(path.join(tools.dir, f.from))).size;
    const kib = efiImageKib(bytes);
    const env = { MTOOLS_SKIP_CHECK: '1' };
    await tools.run(['mkfs.fat', ...mkfsFatArgs(image, kib, efiVolumeId(canonicalJson(ctx.config)))], { rw: [ctx.paths.work], env });
    for (const cmd of efiCopyCommands(image)) await tools.run(cmd, { rw: [ctx.paths.work], env });
    return `EFI image ${kib / 1024} MiB (shim, signed GRUB, MokManager)`;
  },
};

export const installBootLoaders: Step = {
  name: 'install boot loaders',
  async run(ctx) {
    const kernel = ctx.state.kernelVersion;
    if (!kernel) throw new Error('bootstrap root must run first (no kernel version)');
    const staging = ctx.paths.staging;
    await mkdir(path.join(staging, 'live'), { recursive: true });
    await copyFile(path.join(ctx.paths.root, 'boot', `vmlinuz-${kernel}`), path.join(staging, isoKernel));
    await copyFile(path.join(ctx.paths.root, 'boot', `initrd.img-${kernel}`), path.join(staging, isoInitrd));
    await mkdir(path.join(staging, 'boot/grub'), { recursive: true });
    await writeFile(path.join(staging, 'boot/grub/grub.cfg'), grubConfig(ctx.config));
    await mkdir(path.join(staging, path.dirname(mediumTagFile)), { recursive: true });
    await writeFile(path.join(staging, mediumTagFile), diskInfo(ctx.config, ctx.version));
    const done: string[] = [];
    for (const mode of Object.keys(bootModes) as BootMode[]) done.push(await bootModes[mode](ctx));
    return `kernel ${kernel}; ${done.join('; ')}`;
  },
};

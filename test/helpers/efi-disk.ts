// Test helper: a small raw GPT disk that boots under UEFI (OVMF): an ESP with GRUB's x86_64-efi image as the
// removable-media loader (\EFI\BOOT\BOOTX64.EFI), a mostly empty ext4 "data" partition, and an ext4 root whose
// /boot/grub/grub.cfg prints a marker on COM1 and halts. The GRUB image finds the root by its filesystem UUID (as
// grub-install makes it), so the disk still boots after partitions moved. Needs root, util-linux, e2fsprogs,
// dosfstools, mtools and grub-efi-amd64-bin; vfat is never mounted (the host kernel has none).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { attachRange, grubCfg, LINUX_FS_GUID, makeDataFs } from './grub-disk.js';

export const ESP_GUID = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

export interface EfiDiskOptions {
  path: string;
  /** Whole disk, MiB. */
  sizeMiB: number;
  espMiB: number;
  dataMiB: number;
  /** MiB of random bytes in the data partition's /fill.bin. */
  dataFillMiB: number;
  /** Printable ASCII, no ' or \. */
  marker: string;
}

const mtoolsEnv = { MTOOLS_SKIP_CHECK: '1' };

async function withRange<T>(img: string, p: { start: number; size: number }, fn: (dev: string) => Promise<T>): Promise<T> {
  const dev = await attachRange(img, p, 512);
  try {
    return await fn(dev);
  } finally {
    await execa('losetup', ['-d', dev], { reject: false });
  }
}

async function withExt4<T>(dev: string, fn: (mnt: string) => Promise<T>): Promise<T> {
  const mnt = await fs.mkdtemp(path.join(os.tmpdir(), 'lifeboat-efi-'));
  try {
    await execa('mount', ['-t', 'ext4', dev, mnt]);
    try {
      return await fn(mnt);
    } finally {
      await execa('umount', [mnt]);
    }
  } finally {
    await fs.rmdir(mnt).catch(() => {});
  }
}

/** Creates the disk at opts.path (overwritten); everything attached or mounted is released again. */
export async function makeEfiDisk(opts: EfiDiskOptions): Promise<void> {
  if (!/^[\x20-\x7e]+$/.test(opts.marker) || /['\\]/.test(opts.marker)) throw new Error(`makeEfiDisk: bad marker ${JSON.stringify(opts.marker)}`);
  const img = path.resolve(opts.path);
  await fs.rm(img, { force: true });
  await fs.writeFile(img, '');
  await fs.truncate(img, opts.sizeMiB * 1024 * 1024);
  await execa('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', img], {
    input: [
      'label: gpt',
      `start=2048, size=${opts.espMiB}MiB, type=${ESP_GUID}, name="EFI system"`,
      `size=${opts.dataMiB}MiB, type=${LINUX_FS_GUID}, name="data"`,
      `type=${LINUX_FS_GUID}, name="root"`,
      '',
    ].join('\n'),
  });
  const parts = (JSON.parse((await execa('sfdisk', ['--json', img])).stdout) as { partitiontable: { partitions: Array<{ start: number; size: number }> } }).partitiontable.partitions;
  const [esp, data, root] = [parts[0]!, parts[1]!, parts[2]!];

  await makeDataFs(img, data, 512, opts.dataFillMiB);
  const uuid = await withRange(img, root, async (dev) => {
    await execa('mkfs.ext4', ['-F', '-q', '-L', 'lifeboat', dev]);
    await withExt4(dev, async (m) => {
      await fs.mkdir(path.join(m, 'boot', 'grub'), { recursive: true });
      await fs.writeFile(path.join(m, 'boot', 'grub', 'grub.cfg'), grubCfg(opts.marker));
    });
    return (await execa('blkid', ['-p', '-s', 'UUID', '-o', 'value', dev])).stdout.trim();
  });
  if (!/^[0-9a-f-]{36}$/.test(uuid)) throw new Error(`makeEfiDisk: no UUID on the root ext4: ${JSON.stringify(uuid)}`);

  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'lifeboat-efi-grub-'));
  try {
    const early = path.join(work, 'early.cfg');
    await fs.writeFile(early, `search.fs_uuid ${uuid} root\nset prefix=($root)/boot/grub\n`);
    const efi = path.join(work, 'BOOTX64.EFI');
    // Every module the boot needs is in the image, so the root holds only grub.cfg; the prefix has no drive, so
    // a failed search finds nothing.
    await execa('grub-mkimage', [
      '--format=x86_64-efi', '--directory=/usr/lib/grub/x86_64-efi', `--output=${efi}`, '--prefix=/boot/grub', `--config=${early}`,
      'part_gpt', 'ext2', 'search_fs_uuid', 'normal', 'echo', 'serial', 'terminal', 'halt', 'configfile',
    ]);
    await withRange(img, esp, async (dev) => {
      await execa('mkfs.vfat', ['-F', '32', '-n', 'ESP', dev]);
      await execa('mmd', ['-i', dev, '::/EFI', '::/EFI/BOOT'], { env: mtoolsEnv });
      await execa('mcopy', ['-i', dev, efi, '::/EFI/BOOT/BOOTX64.EFI'], { env: mtoolsEnv });
    });
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

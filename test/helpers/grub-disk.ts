// Test helper: build a small raw disk image with GRUB for BIOS (i386-pc)
// installed, whose grub.cfg prints a marker on the first serial port and
// halts. Needs root and util-linux (losetup, sfdisk, mount), e2fsprogs
// (mkfs.ext4), grub-pc-bin and grub-common (grub-mkimage, grub-bios-setup).
//
// Why not `grub-install DEV`: GRUB's Linux probe finds where a partition
// starts with the HDIO_GETGEO ioctl, which loop devices do not implement
// (ENOTTY), so grub-install (and grub-bios-setup) die with "cannot find a
// GRUB drive for /dev/loopNp1" / "cannot get disk geometry" whenever the
// boot directory lives on a loop *partition* (partx -a or losetup -P).
// Instead this does by hand what grub-install does for i386-pc:
//   1. the ext4 partition is attached as its own loop device
//      (losetup --offset/--sizelimit), so no partition nodes are needed;
//   2. modules are copied to /boot/grub/i386-pc and core.img is built with
//      grub-mkimage and a fixed prefix "(,msdos1)/boot/grub" or
//      "(,gpt2)/boot/grub" (empty drive = the BIOS boot drive);
//   3. grub-bios-setup writes boot.img to the MBR and embeds core.img
//      (dos: sectors 1..2047; gpt: the BIOS boot partition), writing to the
//      image file directly; its -d directory is on the ext4 loop device,
//      which GRUB can open because that device is not a partition.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface GrubDiskOptions {
  /** Where to create the image file (overwritten if it exists). */
  path: string;
  /** Size of the sparse image in MiB (default 64, minimum 16). */
  sizeMiB?: number;
  /** Partition table type (default 'dos'). */
  table?: 'dos' | 'gpt';
  /** Printed on COM1 by grub.cfg. Printable ASCII, no ' or \ (it is single-quoted in grub.cfg). */
  marker: string;
  /** Extra files to write to the ext4 file system (path relative to its root -> content). */
  files?: Record<string, string | Uint8Array>;
  /**
   * gpt only: a mostly empty ext4 "data" partition of this many MiB between the BIOS boot partition and the root
   * (which becomes partition 3), holding dataFillMiB MiB of random bytes in /fill.bin (default 8).
   */
  dataMiB?: number;
  dataFillMiB?: number;
  /**
   * How core.img finds /boot/grub: 'number' (default) by a fixed prefix "(,msdos1)" / "(,gptN)"; 'uuid' as
   * grub-install does, by an early config that searches for the root ext4's filesystem UUID.
   */
  findRootBy?: 'number' | 'uuid';
}

/** Type GUID of a GPT "BIOS boot" partition, where GRUB embeds core.img. */
export const BIOS_BOOT_GUID = '21686148-6449-6E6F-744E-656564454649';
/** Type GUID of a GPT "Linux filesystem" partition. */
export const LINUX_FS_GUID = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';

const GRUB_LIB = '/usr/lib/grub/i386-pc';
const GRUB_BIOS_SETUP = `${GRUB_LIB}/grub-bios-setup`;

/**
 * Files that makeGrubDisk always writes to the ext4 root (besides /boot),
 * so tests can check that an image round trip kept file contents.
 */
export function defaultGrubDiskFiles(marker: string): Record<string, string | Uint8Array> {
  const blob = new Uint8Array(256 * 1024);
  let x = 0x12345678; // deterministic xorshift32 bytes
  for (let i = 0; i < blob.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    blob[i] = x & 0xff;
  }
  return {
    'lifeboat-test.txt': `Lifeboat GRUB test disk\nmarker=${marker}\n`,
    'data/hello.txt': 'hello from the lifeboat test disk\n',
    'data/numbers.txt': Array.from({ length: 1000 }, (_, i) => `${i}\n`).join(''),
    'data/blob.bin': blob,
  };
}

/** The grub.cfg written to /boot/grub/grub.cfg. */
export function grubCfg(marker: string): string {
  return [
    'serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1',
    'terminal_input serial console',
    'terminal_output serial console',
    `echo '${marker}'`,
    'halt',
    '',
  ].join('\n');
}

function sfdiskScript(table: 'dos' | 'gpt', dataMiB: number | undefined): string {
  if (table === 'dos') {
    return ['label: dos', 'start=2048, type=83, bootable', ''].join('\n');
  }
  return [
    'label: gpt',
    `start=2048, size=2048, type=${BIOS_BOOT_GUID}, name="BIOS boot"`,
    ...(dataMiB ? [`start=4096, size=${dataMiB}MiB, type=${LINUX_FS_GUID}, name="data"`] : []),
    dataMiB ? `type=${LINUX_FS_GUID}, name="root"` : `start=4096, type=${LINUX_FS_GUID}, name="root"`,
    '',
  ].join('\n');
}

/** Attach [start, start+size) sectors of an image file as a loop device of its own (no partition nodes needed). */
export async function attachRange(imgPath: string, part: { start: number; size: number }, sector: number): Promise<string> {
  const { stdout } = await execa('losetup', ['--find', '--show', `--offset=${part.start * sector}`, `--sizelimit=${part.size * sector}`, imgPath]);
  const dev = stdout.trim();
  if (!/^\/dev\/loop\d+$/.test(dev)) throw new Error(`losetup returned unexpected device ${JSON.stringify(dev)}`);
  return dev;
}

/** An ext4 "data" filesystem on [part] of the image, with fillMiB MiB of random bytes in /fill.bin. */
export async function makeDataFs(imgPath: string, part: { start: number; size: number }, sector: number, fillMiB: number): Promise<void> {
  const dev = await attachRange(imgPath, part, sector);
  try {
    await execa('mkfs.ext4', ['-F', '-q', '-L', 'data', dev]);
    const mnt = await fs.mkdtemp(path.join(os.tmpdir(), 'lifeboat-grub-data-'));
    try {
      await execa('mount', ['-t', 'ext4', dev, mnt]);
      try {
        await execa('dd', ['if=/dev/urandom', `of=${path.join(mnt, 'fill.bin')}`, 'bs=1M', `count=${fillMiB}`, 'status=none']);
      } finally {
        await umountRetry(mnt);
      }
    } finally {
      await fs.rmdir(mnt).catch(() => {});
    }
  } finally {
    await execa('losetup', ['-d', dev], { reject: false });
  }
}

interface SfdiskJson {
  partitiontable: { sectorsize?: number; partitions?: Array<{ start: number; size: number }> };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function umountRetry(mnt: string): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 20; i++) {
    try {
      await execa('umount', [mnt]);
      return;
    } catch (e) {
      last = e;
      await sleep(100);
    }
  }
  throw last;
}

/**
 * Create a sparse raw disk image at opts.path:
 *  - dos: partition 1 = ext4 from 1 MiB to the end (bootable flag set);
 *  - gpt: partition 1 = 1 MiB BIOS boot at 1 MiB, partition 2 = ext4 from 2 MiB (with dataMiB: partition 2 = the
 *    "data" ext4 of that size at 2 MiB, partition 3 = the root ext4 after it);
 * with GRUB for BIOS installed (boot.img in the MBR, core.img embedded),
 * modules in /boot/grub/i386-pc, and a grub.cfg that prints opts.marker on
 * COM1 (115200 8N1) and halts (ACPI power-off, so QEMU exits by itself),
 * plus the files of defaultGrubDiskFiles() and opts.files. The ext4 has the
 * label "lifeboat". Everything attached or mounted is released again, also
 * on failure; the image file is left behind on failure.
 */
export async function makeGrubDisk(opts: GrubDiskOptions): Promise<void> {
  const table = opts.table ?? 'dos';
  const sizeMiB = opts.sizeMiB ?? 64;
  const marker = opts.marker;
  if (typeof marker !== 'string' || !/^[\x20-\x7e]+$/.test(marker) || /['\\]/.test(marker)) {
    throw new Error(`makeGrubDisk: marker must be printable ASCII without ' or \\: ${JSON.stringify(marker)}`);
  }
  if (!Number.isInteger(sizeMiB) || sizeMiB < 16) {
    throw new Error(`makeGrubDisk: sizeMiB must be an integer >= 16, got ${sizeMiB}`);
  }
  if (table !== 'dos' && table !== 'gpt') throw new Error(`makeGrubDisk: bad table ${String(table)}`);
  if (opts.dataMiB !== undefined && (table !== 'gpt' || !Number.isInteger(opts.dataMiB) || opts.dataMiB < 8)) {
    throw new Error(`makeGrubDisk: dataMiB needs table 'gpt' and an integer >= 8, got ${opts.dataMiB}`);
  }
  const imgPath = path.resolve(opts.path);

  // Fresh sparse file.
  await fs.rm(imgPath, { force: true });
  const fh = await fs.open(imgPath, 'w');
  try {
    await fh.truncate(sizeMiB * 1024 * 1024);
  } finally {
    await fh.close();
  }

  await execa('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', imgPath], {
    input: sfdiskScript(table, opts.dataMiB),
  });
  const pt = (JSON.parse((await execa('sfdisk', ['--json', imgPath])).stdout) as SfdiskJson).partitiontable;
  const sector = pt.sectorsize ?? 512;
  const partNo = table === 'dos' ? 1 : opts.dataMiB ? 3 : 2;
  const rootPart = pt.partitions?.[partNo - 1];
  if (!rootPart) throw new Error(`makeGrubDisk: sfdisk did not create partition ${partNo}`);
  if (opts.dataMiB) await makeDataFs(imgPath, pt.partitions![1]!, sector, opts.dataFillMiB ?? 8);

  // The ext4 partition as a loop device of its own.
  const dev = await attachRange(imgPath, rootPart, sector);
  let failed = false;
  try {
    await execa('mkfs.ext4', ['-F', '-q', '-L', 'lifeboat', dev]);
    const mnt = await fs.mkdtemp(path.join(os.tmpdir(), 'lifeboat-grub-'));
    try {
      await execa('mount', ['-t', 'ext4', dev, mnt]);
      try {
        const grubDir = path.join(mnt, 'boot', 'grub');
        const modDir = path.join(grubDir, 'i386-pc'); // absolute paths throughout
        await fs.mkdir(modDir, { recursive: true });
        for (const name of await fs.readdir(GRUB_LIB)) {
          if (/\.(mod|lst)$/.test(name) || name === 'boot.img') {
            await fs.copyFile(path.join(GRUB_LIB, name), path.join(modDir, name));
          }
        }
        const prefix = table === 'dos' ? '(,msdos1)/boot/grub' : `(,gpt${partNo})/boot/grub`;
        const early: string[] = [];
        if (opts.findRootBy === 'uuid') {
          // What grub-install embeds: find the root by its filesystem UUID, wherever its partition is.
          const uuid = (await execa('blkid', ['-p', '-s', 'UUID', '-o', 'value', dev])).stdout.trim();
          if (!/^[0-9a-f-]{36}$/.test(uuid)) throw new Error(`makeGrubDisk: no UUID on the root ext4: ${JSON.stringify(uuid)}`);
          const earlyCfg = path.join(mnt, 'early.cfg');
          // The serial terminal first, so that a failed search says so on COM1.
          const serial = grubCfg(marker).split('\n').slice(0, 3).join('\n');
          await fs.writeFile(earlyCfg, `${serial}\nsearch.fs_uuid ${uuid} root\nset prefix=($root)/boot/grub\n`);
          early.push(`--config=${earlyCfg}`, 'search_fs_uuid', 'serial', 'terminal');
        }
        await execa('grub-mkimage', [
          '--format=i386-pc',
          `--directory=${GRUB_LIB}`,
          `--output=${path.join(modDir, 'core.img')}`,
          // By UUID the prefix has no drive: if the search fails GRUB looks on the whole disk and does not boot.
          `--prefix=${early.length ? '/boot/grub' : prefix}`,
          ...early,
          'biosdisk',
          'part_msdos',
          'part_gpt',
          'ext2',
        ]);
        if (early.length) await fs.rm(path.join(mnt, 'early.cfg'));
        await fs.writeFile(path.join(grubDir, 'grub.cfg'), grubCfg(marker));
        const files = { ...defaultGrubDiskFiles(marker), ...(opts.files ?? {}) };
        for (const [rel, content] of Object.entries(files)) {
          const dest = path.resolve(mnt, rel);
          if (!dest.startsWith(mnt + path.sep)) throw new Error(`makeGrubDisk: file outside the file system: ${rel}`);
          await fs.mkdir(path.dirname(dest), { recursive: true });
          await fs.writeFile(dest, content);
        }
        // Writes boot.img to sector 0 (keeping the partition table) and
        // embeds core.img after it; the device argument is the image file.
        await execa(GRUB_BIOS_SETUP, [`--directory=${modDir}`, imgPath]);
      } finally {
        await umountRetry(mnt);
      }
    } finally {
      await fs.rmdir(mnt).catch(() => {});
    }
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    // Never losetup -D: other tests use loop devices concurrently.
    const r = await execa('losetup', ['-d', dev], { reject: false });
    // Do not let a detach failure hide the original error.
    if (r.failed && !failed) throw new Error(`losetup -d ${dev} failed: ${r.stderr}`);
  }
}

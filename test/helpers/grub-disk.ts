// Test helper: build a small raw disk image with GRUB (BIOS, i386-pc)
// installed, whose grub.cfg prints a marker on the first serial port and
// halts. Needs root, losetup/partx (util-linux), sfdisk, mkfs.ext4,
// grub-install (grub-pc-bin + grub2-common).
//
// The host kernel does not scan partition tables on its own, so partitions
// of the loop device are added with `partx -a`. There is no udev, so nothing
// here waits for udev; devtmpfs creates the nodes.
import { promises as fs, existsSync } from 'node:fs';
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
  /** Printed on the serial port by grub.cfg. Printable ASCII, no quote or backslash. */
  marker: string;
  /** Extra files to write to the ext4 file system (relative path -> content). */
  files?: Record<string, string | Uint8Array>;
}

/** Type GUID of a GPT "BIOS boot" partition, where GRUB embeds core.img. */
export const BIOS_BOOT_GUID = '21686148-6449-6E6F-744E-656564454649';
/** Type GUID of a GPT "Linux filesystem" partition. */
export const LINUX_FS_GUID = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';

/**
 * Files that makeGrubDisk always writes to the ext4 root (besides /boot),
 * so tests can check that an image round trip kept file contents.
 */
export function defaultGrubDiskFiles(marker: string): Record<string, string | Uint8Array> {
  const blob = new Uint8Array(256 * 1024);
  // Deterministic, non-compressible-ish content (xorshift32).
  let x = 0x12345678;
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

function grubCfg(marker: string): string {
  return [
    'serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1',
    'terminal_input serial console',
    'terminal_output serial console',
    `echo '${marker}'`,
    'halt',
    '',
  ].join('\n');
}

function sfdiskScript(table: 'dos' | 'gpt'): string {
  if (table === 'dos') {
    return ['label: dos', 'start=2048, type=83, bootable', ''].join('\n');
  }
  return [
    'label: gpt',
    `start=2048, size=2048, type=${BIOS_BOOT_GUID}, name="BIOS boot"`,
    `start=4096, type=${LINUX_FS_GUID}, name="root"`,
    '',
  ].join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until the partition nodes of a loop device exist, adding them with partx -a if needed. */
async function ensurePartitions(dev: string, count: number): Promise<void> {
  const base = path.basename(dev);
  const sysNode = (n: number) => `/sys/class/block/${base}/${base}p${n}`;
  const present = () => {
    for (let n = 1; n <= count; n++) if (!existsSync(sysNode(n))) return false;
    return true;
  };
  if (!present()) {
    // Fails if some partitions already exist (e.g. the kernel did scan); check again after.
    await execa('partx', ['-a', dev], { reject: false });
  }
  for (let i = 0; i < 100; i++) {
    let ok = present();
    for (let n = 1; ok && n <= count; n++) if (!existsSync(`${dev}p${n}`)) ok = false;
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`partitions of ${dev} did not appear after partx -a`);
}

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
 * Create a sparse raw disk image at opts.path with one ext4 partition
 * (dos: partition 1 at 1 MiB; gpt: partition 1 = 1 MiB BIOS boot at 1 MiB,
 * partition 2 = ext4 at 2 MiB to the end), GRUB for BIOS installed, and a
 * grub.cfg that prints opts.marker on COM1 (115200 8N1) and halts (ACPI
 * power-off, so QEMU exits by itself). Everything attached or mounted is
 * released again, also on failure.
 */
export async function makeGrubDisk(opts: GrubDiskOptions): Promise<void> {
  const table = opts.table ?? 'dos';
  const sizeMiB = opts.sizeMiB ?? 64;
  const marker = opts.marker;
  if (!marker || !/^[\x20-\x7e]+$/.test(marker) || /['\\]/.test(marker)) {
    throw new Error(`makeGrubDisk: marker must be printable ASCII without ' or \\: ${JSON.stringify(marker)}`);
  }
  if (!Number.isInteger(sizeMiB) || sizeMiB < 16) {
    throw new Error(`makeGrubDisk: sizeMiB must be an integer >= 16, got ${sizeMiB}`);
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
    input: sfdiskScript(table),
  });

  const partCount = table === 'dos' ? 1 : 2;
  const { stdout } = await execa('losetup', ['--find', '--partscan', '--show', imgPath]);
  const dev = stdout.trim();
  if (!/^\/dev\/loop\d+$/.test(dev)) throw new Error(`losetup returned unexpected device ${JSON.stringify(dev)}`);
  let failed = false;
  try {
    await ensurePartitions(dev, partCount);
    const rootPart = `${dev}p${partCount}`;
    await execa('mkfs.ext4', ['-F', '-q', '-L', 'lifeboat', rootPart]);

    const mnt = await fs.mkdtemp(path.join(os.tmpdir(), 'lifeboat-grub-'));
    try {
      await execa('mount', ['-t', 'ext4', rootPart, mnt]);
      try {
        const bootDir = path.join(mnt, 'boot'); // absolute: grub-install fails with a relative one
        await fs.mkdir(bootDir, { recursive: true });
        await execa('grub-install', ['--target=i386-pc', `--boot-directory=${bootDir}`, dev]);
        await fs.writeFile(path.join(bootDir, 'grub', 'grub.cfg'), grubCfg(marker));
        const files = { ...defaultGrubDiskFiles(marker), ...(opts.files ?? {}) };
        for (const [rel, content] of Object.entries(files)) {
          const dest = path.join(mnt, rel);
          if (!dest.startsWith(mnt + path.sep)) throw new Error(`file outside the file system: ${rel}`);
          await fs.mkdir(path.dirname(dest), { recursive: true });
          await fs.writeFile(dest, content);
        }
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
    // Detaching drops the partitions too (the device was attached with --partscan);
    // partx -d first in case they were added without it. Never losetup -D.
    await execa('partx', ['-d', dev], { reject: false });
    const r = await execa('losetup', ['-d', dev], { reject: false });
    // Do not let a detach failure hide the original error.
    if (r.failed && !failed) throw new Error(`losetup -d ${dev} failed: ${r.stderr}`);
  }
}

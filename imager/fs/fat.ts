// FAT (12/16/32): its used bytes, and shrinking it by a copy: a new FAT of the same kind on the smaller partition,
// filled with the staging copy's files by mtools (no mount: this works where the kernel has no vfat, too).
//
// Why a copy: the one resizer for FAT, libparted's (fatresize, GParted), turns a FAT32 into a FAT16 when the new
// size is below its FAT32 minimum, writes the partition table itself and fails on a file without one (tried here
// with fatresize 1.1.0). A new FAT with the same type, volume serial number, label, sector and cluster size, number
// of FATs, media byte and root directory size, filled by `mcopy -s -p -m`, keeps what fstab, boot loaders and
// firmware look at (the serial is the UUID, the label) and every file's name, long name, attributes and
// modification time. Not kept: the 8.3 aliases of long names are made again (the same in almost every case),
// creation and access times, directories' times, and the boot sector's boot code (a FAT booted through its own boot
// sector, e.g. by SYSLINUX, needs its installer run again).
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { partitionStartSector } from '../disks/sysfs.js';
import type { Shrinker } from './shrink.js';
import type { UsageProbe } from './usage.js';

export interface FatBootSector {
  bytesPerSector: number;
  sectorsPerCluster: number;
  reservedSectors: number;
  fats: number;
  /** Root directory entries (FAT12/16; 0 on FAT32). */
  rootEntries: number;
  media: number;
  hiddenSectors: number;
  /** 12, 16 or 32, as mkfs.fat -F takes it. */
  bits: 12 | 16 | 32;
  /** The volume serial number as mkfs.fat -i takes it (8 hex digits). */
  serial: string;
}

/** Parses a FAT boot sector (the first 512 bytes); undefined when it is not one. */
export function parseFatBootSector(b: Buffer): FatBootSector | undefined {
  if (b.length < 512 || b.readUInt16LE(510) !== 0xaa55) return undefined;
  const bytesPerSector = b.readUInt16LE(11);
  const sectorsPerCluster = b[13]!;
  if (![512, 1024, 2048, 4096].includes(bytesPerSector) || sectorsPerCluster === 0 || (sectorsPerCluster & (sectorsPerCluster - 1)) !== 0) return undefined;
  const reservedSectors = b.readUInt16LE(14);
  const fats = b[16]!;
  const rootEntries = b.readUInt16LE(17);
  const total = b.readUInt16LE(19) || b.readUInt32LE(32);
  const fatSize = b.readUInt16LE(22) || b.readUInt32LE(36);
  const rootSectors = Math.ceil((rootEntries * 32) / bytesPerSector);
  const clusters = Math.floor((total - reservedSectors - fats * fatSize - rootSectors) / sectorsPerCluster);
  // The FAT type follows from the count of clusters alone (Microsoft's FAT specification).
  const bits = clusters < 4085 ? 12 : clusters < 65525 ? 16 : 32;
  const serialAt = bits === 32 ? 67 : 39;
  return {
    bytesPerSector,
    sectorsPerCluster,
    reservedSectors,
    fats,
    rootEntries,
    media: b[21]!,
    hiddenSectors: b.readUInt32LE(28),
    bits,
    serial: b.readUInt32LE(serialAt).toString(16).toUpperCase().padStart(8, '0'),
  };
}

/** The first sector of a file or device (a FAT's boot sector). */
export async function readHead(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(512);
    await fh.read(b, 0, 512, 0);
    return b;
  } finally {
    await fh.close();
  }
}

/** fsck.fat -n -v: "N bytes per cluster" and "…: F files, U/T clusters". */
export function parseFsckFatUsage(text: string): number | undefined {
  const cluster = /^\s*(\d+) bytes per cluster$/m.exec(text);
  const used = /: \d+ files, (\d+)\/\d+ clusters$/m.exec(text);
  return cluster && used ? Number(used[1]) * Number(cluster[1]) : undefined;
}

export const fatUsage: UsageProbe = async (runner, device) => {
  // -n: read only; exit 1 when it found something it would fix, which does not change the count.
  const { stdout } = await runner.run('fsck.fat', ['-n', '-v', device], { okExitCodes: [1] });
  return parseFsckFatUsage(stdout);
};

/** mkfs.fat's argv for a FAT like `from` on target; `keepCluster` false lets mkfs.fat choose the cluster size. */
export function mkfsFatArgs(from: FatBootSector, label: string | undefined, hidden: number, target: string, keepCluster: boolean): string[] {
  return [
    '-F', String(from.bits),
    '-i', from.serial,
    ...(label ? ['-n', label] : []),
    '-S', String(from.bytesPerSector),
    ...(keepCluster ? ['-s', String(from.sectorsPerCluster)] : []),
    '-f', String(from.fats),
    '-M', `0x${from.media.toString(16)}`,
    ...(from.bits === 32 ? [] : ['-r', String(from.rootEntries)]),
    '-h', String(hidden),
    target,
  ];
}

/** mtools' drive lines for the two filesystems (mtools_skip_check: the new FAT has no partition of its own to match). */
function mtoolsRc(source: string, target: string): string {
  return `mtools_skip_check=1\ndrive x: file="${source}"\ndrive y: file="${target}"\n`;
}

export const shrinkFat: Shrinker = {
  way: 'copy',
  describe: 'a new FAT of the same type, serial number, label and cluster size made on the partition, the files copied into it by mtools (names, attributes, modification times)',
  // FAT32 needs 65525 clusters: about 33 MiB at 512-byte clusters (mkfs.fat refuses less).
  floorBytes: 33 * 1024 * 1024,
  async shrink(runner, job) {
    const from = parseFatBootSector(await readHead(job.staging));
    if (!from) throw new Error(`${job.staging} does not start with a FAT boot sector`);
    const { stdout } = await runner.run('blkid', ['-p', '-o', 'export', job.staging], { okExitCodes: [2] });
    const label = /^LABEL=(.*)$/m.exec(stdout)?.[1];
    const hidden = (await partitionStartSector(job.target)) ?? from.hiddenSectors;
    // The same cluster size first; when that gives too many or too few clusters for this FAT type at the new size
    // (mkfs.fat then fails, or warns and makes another type), mkfs.fat chooses the cluster size.
    const made = async (keepCluster: boolean) => {
      const ok = await runner.run('mkfs.fat', mkfsFatArgs(from, label, hidden, job.target, keepCluster)).then(() => true, () => false);
      return ok && parseFatBootSector(await readHead(job.target))?.bits === from.bits;
    };
    if (!(await made(true)) && !(await made(false))) throw new Error(`a FAT${from.bits} cannot be made on ${job.target} at ${job.bytes} bytes; give the partition more room (restore --layout)`);
    const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-mtools-'));
    try {
      const rc = path.join(dir, 'mtoolsrc');
      await writeFile(rc, mtoolsRc(job.staging, job.target));
      const env = { MTOOLSRC: rc };
      // Each entry of the root by name: mcopy's own wildcard over a whole root fails ("size too big") on mtools 4.0.
      const { stdout: list } = await runner.run('mdir', ['-b', '-a', 'x:/'], { env });
      const entries = list
        .split('\n')
        .map((l) => l.replace(/\/$/, ''))
        .filter((l) => l.startsWith('X:/') && l.length > 3);
      // -s recursive, -p attributes, -m modification times, -Q stop at the first error, -D o never ask.
      if (entries.length > 0) await runner.run('mcopy', ['-s', '-p', '-m', '-Q', '-D', 'o', ...entries, 'y:/'], { env, hint: 'the files of the FAT do not fit the smaller partition' });
      // The proof before the restore says done: the same paths with the same attributes, and a clean new FAT.
      const listing = async (drive: 'x' | 'y') => (await runner.run('mattrib', ['-/', `${drive}:/`], { env })).stdout.replace(/[XY]:\//g, '/').split('\n').sort().join('\n');
      if ((await listing('x')) !== (await listing('y'))) throw new Error(`the files copied onto ${job.target} differ from the FAT's (mattrib -/ lists them differently)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await runner.run('fsck.fat', ['-n', job.target], { hint: 'the new FAT is not clean' });
  },
};

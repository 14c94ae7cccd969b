// Puts back what partclone leaves out of a copied filesystem: one finisher per filesystem that needs one.
import { readBytes, writeBytes } from '../boot/sectors.js';
import { blockDeviceBytes, partitionStartSector } from '../disks/sysfs.js';

/** Completes the filesystem partclone wrote on device (a clone's copy or a restored image). */
export type FsFinisher = (device: string) => Promise<void>;

/**
 * NTFS keeps a copy of its boot sector in the sector after the volume (the partition's last), outside every
 * cluster: partclone copies clusters only, so the copy is left blank, and ntfsfix -n (or chkdsk) finds it bad.
 * It is the volume's own boot sector, so it is written from the one partclone wrote: the boot sector's total
 * sectors (u64 at 0x28) times its bytes per sector (u16 at 0x0b) is where it goes.
 *
 * First, the boot sector's hidden sectors (u32 at 0x1c: where the partition starts on its disk, in the volume's
 * sectors) is set to the partition's start: a volume put back at another place than its source's (a smaller disk's
 * layout, another partition, a clone onto another table) otherwise keeps the old start, and Windows' boot loader
 * reads the volume at the wrong place ("BOOTMGR is missing"). Clonezilla runs partclone.ntfsfixboot for this; its
 * start comes from HDIO_GETGEO, which loop and many other devices do not answer, so the one field is written here.
 */
export const finishNtfs: FsFinisher = async (device) => {
  const boot = await readBytes(device, 0, 512);
  if (boot.length < 512 || boot.toString('latin1', 3, 11) !== 'NTFS    ') return;
  const sectorBytes = boot.readUInt16LE(0x0b);
  const start512 = await partitionStartSector(device);
  if (start512 !== undefined && sectorBytes >= 512 && (start512 * 512) % sectorBytes === 0) {
    const hidden = (start512 * 512) / sectorBytes;
    if (hidden <= 0xffffffff && boot.readUInt32LE(0x1c) !== hidden) {
      const field = Buffer.alloc(4);
      field.writeUInt32LE(hidden);
      await writeBytes(device, 0x1c, field);
    }
  }
  const volumeSectors = Number(boot.readBigUInt64LE(0x28));
  const primary = await readBytes(device, 0, sectorBytes);
  // Windows keeps the copy in the sector after the volume; ntfsresize puts it in the partition's last sector, which
  // is the same sector unless the volume ends short of it (a size rounded to clusters). Every sector at or after the
  // volume's end is outside it, so both places get the copy: the first always (when inside the partition), the last
  // when it holds a boot sector copy already (one that a hidden-sectors change above made stale).
  const offset = volumeSectors * sectorBytes;
  const at = await readBytes(device, offset, sectorBytes);
  if (at.length === sectorBytes) await writeBytes(device, offset, primary);
  const partitionBytes = await blockDeviceBytes(device);
  if (partitionBytes !== undefined && partitionBytes - sectorBytes > offset) {
    const lastAt = partitionBytes - sectorBytes;
    const last = await readBytes(device, lastAt, sectorBytes);
    if (last.length === sectorBytes && last.toString('latin1', 3, 11) === 'NTFS    ' && !last.equals(primary)) await writeBytes(device, lastAt, primary);
  }
};


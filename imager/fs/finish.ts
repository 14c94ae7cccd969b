// Puts back what partclone leaves out of a copied filesystem: one finisher per filesystem that needs one.
import { readBytes, writeBytes } from '../boot/sectors.js';

/** Completes the filesystem partclone wrote on device (a clone's copy or a restored image). */
export type FsFinisher = (device: string) => Promise<void>;

/**
 * NTFS keeps a copy of its boot sector in the sector after the volume (the partition's last), outside every
 * cluster: partclone copies clusters only, so the copy is left blank, and ntfsfix -n (or chkdsk) finds it bad.
 * It is the volume's own boot sector, so it is written from the one partclone wrote: the boot sector's total
 * sectors (u64 at 0x28) times its bytes per sector (u16 at 0x0b) is where it goes.
 */
export const finishNtfs: FsFinisher = async (device) => {
  const boot = await readBytes(device, 0, 512);
  if (boot.length < 512 || boot.toString('latin1', 3, 11) !== 'NTFS    ') return;
  const sectorBytes = boot.readUInt16LE(0x0b);
  const offset = Number(boot.readBigUInt64LE(0x28)) * sectorBytes;
  // Only where the sector lies inside the partition (it always does on a volume made for it).
  const at = await readBytes(device, offset, sectorBytes);
  if (at.length === sectorBytes) await writeBytes(device, offset, await readBytes(device, 0, sectorBytes));
};

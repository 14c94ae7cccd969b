// Parses the header at the start of a partclone image (format 0002): the filesystem's size, blocks and block size.

export interface PartcloneHeader {
  /** partclone's name of the filesystem (EXTFS, XFS, NTFS, FAT32, …). */
  fs: string;
  /** Bytes of the filesystem itself (which may be less than its partition): what a target partition must hold. */
  deviceBytes: number;
  totalBlocks: number;
  usedBlocks: number;
  blockSize: number;
}

/** The header's length in bytes up to the block size (the fields read here). */
export const partcloneHeaderBytes = 88;

const cString = (b: Buffer, start: number, length: number) => b.subarray(start, start + length).toString('latin1').replace(/\0.*$/s, '');

/**
 * Format 0002 (partclone 0.3, little endian, packed): magic[16] "partclone-image", version[14], image version[4]
 * "0002", endianness[2] 0xC0DE, fs[16], device_size u64, totalblock u64, usedblocks u64, used_bitmap u64,
 * block_size u32. Undefined for anything else (format 0001 of partclone 0.2, a raw image, a big-endian one).
 */
export function parsePartcloneHeader(b: Buffer): PartcloneHeader | undefined {
  if (b.length < partcloneHeaderBytes) return undefined;
  if (cString(b, 0, 16) !== 'partclone-image' || cString(b, 30, 4) !== '0002' || b.readUInt16LE(34) !== 0xc0de) return undefined;
  const u64 = (at: number) => Number(b.readBigUInt64LE(at));
  return { fs: cString(b, 36, 16), deviceBytes: u64(52), totalBlocks: u64(60), usedBlocks: u64(68), blockSize: b.readUInt32LE(84) };
}

// Which boot records a disk has and where they live: MBR boot code, hidden data after the MBR, GPT headers, boot partitions.
import type { PartitionTable } from '../parse/sfdisk.js';

/** Bytes of the MBR that hold boot code (and the disk signature); 446..511 are the partition table and 0x55AA. */
export const bootCodeBytes = 446;

/** Clonezilla skips hidden data of 1 GiB or more (hidden_data_after_mbr_limit). */
export const hiddenDataLimitBytes = 1024 * 1024 * 1024;

export const gptBootTypes = {
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  biosBoot: '21686148-6449-6E6F-744E-656564454649',
};

/** MBR types of EFI system partitions (0xEF). */
const mbrEspTypes = ['EF'];

/** Sectors between the MBR and the first partition (MBR disks only: on GPT they hold the GPT itself). */
export function hiddenDataSectors(table: PartitionTable): number {
  if (table.type !== 'dos' || table.partitions.length === 0) return 0;
  const first = Math.min(...table.partitions.map((p) => p.start));
  const sectors = first - 1;
  if (sectors <= 0 || sectors * table.sectorSize >= hiddenDataLimitBytes) return 0;
  return sectors;
}

/** Partitions a firmware boots from: EFI system partitions and GPT BIOS boot partitions. */
export function bootPartitionNumbers(table: PartitionTable): number[] {
  return table.partitions
    .filter((p) => (table.type === 'gpt' ? p.type === gptBootTypes.esp || p.type === gptBootTypes.biosBoot : mbrEspTypes.includes(p.type.toUpperCase())))
    .map((p) => p.number);
}

/** GPT: the primary header area is LBA 0..33 (protective MBR, header, 128 entries); the backup is the last 33 sectors. */
export const gptPrimarySectors = 34;
export const gptBackupSectors = 33;

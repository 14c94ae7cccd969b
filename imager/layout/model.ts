// The layout model: disk -> table -> partitions -> content, where content nests (LUKS -> LVM PV -> LV -> filesystem).

import type { TableType } from '../parse/sfdisk.js';

/** A block device found inside a container: an opened LUKS mapping, an active LV, an assembled md array. */
export interface LayoutNode {
  device: string;
  /** lsblk's TYPE of the node: crypt, lvm, raid1, … */
  kind: string;
  sizeBytes: number;
  content: Content;
}

/** A logical volume of a PV's volume group, known from the LVM metadata even when it is not active. */
export interface LogicalVolume {
  name: string;
  uuid: string | undefined;
  sizeBytes: number;
  /** The active LV's block device and what it holds, when lsblk shows it. */
  node?: LayoutNode;
}

export type Content =
  | { kind: 'filesystem'; fsType: string; uuid?: string; label?: string; version?: string }
  | { kind: 'swap'; uuid?: string; label?: string }
  | { kind: 'luks'; version?: number; uuid?: string; label?: string; children: LayoutNode[] }
  | { kind: 'lvm-pv'; pvUuid?: string; vgName?: string; vgUuid?: string; lvs: LogicalVolume[]; children: LayoutNode[] }
  | { kind: 'md-member'; arrayUuid?: string; memberUuid?: string; name?: string; metadata?: string; level?: string; children: LayoutNode[] }
  | { kind: 'bitlocker'; version?: string; uuid?: string }
  /** An MBR extended partition: a container of logical partitions, described by the table itself. */
  | { kind: 'extended' }
  /** blkid found something Lifeboat does not model (its TYPE), or a partition table inside the partition. */
  | { kind: 'unknown'; blkidType?: string; ptType?: string }
  | { kind: 'empty' };

export type ContentKind = Content['kind'];

export interface LayoutPartition {
  number: number;
  start: number; // sectors
  size: number; // sectors
  type: string; // GPT type GUID (upper case) or MBR type byte in hex
  uuid?: string; // GPT partition GUID
  name?: string; // GPT partition name
  attrs?: string;
  bootable: boolean;
  content: Content;
}

export interface LayoutTable {
  type: TableType;
  id: string; // GPT disk GUID or MBR disk signature (0x…)
  sectorSize: number;
  firstLba?: number;
  lastLba?: number;
  partitions: LayoutPartition[];
}

export interface DiskLayout {
  sizeBytes: number;
  logicalSectorSize: number;
  /** Undefined when the disk has no partition table; then content says what the whole disk holds. */
  table?: LayoutTable;
  content?: Content;
}

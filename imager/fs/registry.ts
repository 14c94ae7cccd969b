// The filesystem registry: one record per filesystem type (as blkid names it) holding everything Lifeboat knows
// about it: its name in image files and partclone tool, how to measure, grow, shrink, mount and recreate it.
import { fatUsage, shrinkFat } from './fat.js';
import { checkBtrfs, checkExt, checkFat, checkNtfs, checkXfs, type FsChecker } from './check.js';
import { extFilesAt, type FilesAtProbe } from './files-at.js';
import { finishNtfs, type FsFinisher } from './finish.js';
import { growExt, growMounted, growNothing, growNtfs, type Grower } from './grow.js';
import type { MountSpec } from './mount-options.js';
import { partcloneHandler, rawHandler, type FsHandler } from './partclone.js';
import { recreateSwap, type Recreator } from './recreate.js';
import { shrinkBtrfs, shrinkExt, shrinkNtfs, shrinkXfs, type Shrinker } from './shrink.js';
import { btrfsUsage, extUsage, ntfsUsage, xfsUsage, type UsageProbe } from './usage.js';

export type FsType = 'ext2' | 'ext3' | 'ext4' | 'xfs' | 'btrfs' | 'ntfs' | 'vfat' | 'exfat' | 'f2fs' | 'hfsplus' | 'apfs' | 'minix' | 'swap' | 'dd';

export interface FsRecord {
  type: FsType;
  /** How a partition of this type is imaged, restored and checked (partclone, or the raw copy). */
  image: FsHandler;
  /** Other names the type has in Clonezilla's image file names (fat32, hfsp), read but never written. */
  aliases: string[];
  /** Used bytes measured offline from the unmounted device; without it, only a mounted filesystem is measured. */
  usage?: UsageProbe;
  /** Puts back what partclone leaves out of a filesystem it wrote (NTFS's backup boot sector). */
  finish?: FsFinisher;
  /** Checks the filesystem on a device without changing it (after a clone); without it, nothing checks it. */
  check?: FsChecker;
  /** Fills a partition that grew; without it, --grow extends the partition only. */
  grow?: Grower;
  /** Fits the filesystem onto a smaller partition (restore onto a smaller disk); without it, its partition keeps its size. */
  shrink?: Shrinker;
  /** How it is mounted as a store or for a search; without it, it is neither. */
  mount?: MountSpec;
  /** Puts back a partition that the image holds no data of, only its identity (swap). */
  recreate?: Recreator;
  /** Which files hold given byte ranges (the unreadable ones of a rescue); without it, Lifeboat cannot tell. */
  filesAt?: FilesAtProbe;
}

// A copy of an XFS filesystem shares its UUID; XFS refuses to mount the second one without nouuid (the source disk
// may be attached beside its restored copy). norecovery: no log recovery and no log clean-up on a read-only mount.
const xfsMount: MountSpec = { options: ['nouuid'], noReplay: ['norecovery'] };
// rescue=nologreplay: do not replay the log tree (the fsync log) on a read-only mount. The bare `nologreplay` of
// older kernels is refused by 6.18 (tried: mount fails); rescue= exists since Linux 5.9 (Debian 13 has 6.12).
const btrfsMount: MountSpec = { options: [], noReplay: ['rescue=nologreplay'] };
// noload: do not load (and so not replay) the journal. ext2 has none, and the ext2 driver does not know the option.
const extJournalMount: MountSpec = { options: [], noReplay: ['noload'] };
const plainMount: MountSpec = { options: [], noReplay: [] };

const ext = (type: 'ext2' | 'ext3' | 'ext4'): FsRecord => ({
  type,
  image: partcloneHandler(type),
  aliases: [],
  usage: extUsage,
  check: checkExt,
  grow: growExt,
  shrink: shrinkExt(type, type === 'ext2' ? plainMount : extJournalMount),
  mount: type === 'ext2' ? plainMount : extJournalMount,
  filesAt: extFilesAt,
});
const partcloneOnly = (type: FsType, tool: string = type, aliases: string[] = []): FsRecord => ({ type, image: partcloneHandler(type, tool), aliases });

export const fsRecords: Record<FsType, FsRecord> = {
  ext2: ext('ext2'),
  ext3: ext('ext3'),
  ext4: ext('ext4'),
  xfs: { type: 'xfs', image: partcloneHandler('xfs'), aliases: [], usage: xfsUsage, check: checkXfs, grow: growMounted(xfsMount, (dir) => ['xfs_growfs', dir]), shrink: shrinkXfs(xfsMount), mount: xfsMount },
  btrfs: { type: 'btrfs', image: partcloneHandler('btrfs'), aliases: [], usage: btrfsUsage, check: checkBtrfs, grow: growMounted(btrfsMount, (dir) => ['btrfs', 'filesystem', 'resize', 'max', dir]), shrink: shrinkBtrfs(btrfsMount), mount: btrfsMount },
  // NTFS through the FUSE driver ntfs-3g, which leaves the volume's log alone on a read-only mount.
  ntfs: { type: 'ntfs', image: partcloneHandler('ntfs'), aliases: [], usage: ntfsUsage, finish: finishNtfs, check: checkNtfs, grow: growNtfs, shrink: shrinkNtfs, mount: { type: 'ntfs-3g', options: [], noReplay: [] } },
  vfat: { ...partcloneOnly('vfat', 'vfat', ['fat12', 'fat16', 'fat32']), usage: fatUsage, check: checkFat, shrink: shrinkFat, mount: plainMount },
  exfat: { ...partcloneOnly('exfat'), mount: plainMount },
  f2fs: partcloneOnly('f2fs'),
  hfsplus: partcloneOnly('hfsplus', 'hfsp', ['hfsp']),
  apfs: partcloneOnly('apfs'),
  minix: partcloneOnly('minix'),
  // Swap holds nothing worth saving: its UUID and label are recorded, and mkswap makes it again at its full size.
  swap: { type: 'swap', image: rawHandler, aliases: [], grow: growNothing, recreate: recreateSwap },
  dd: { type: 'dd', image: rawHandler, aliases: [] },
};

/** The raw copy's record: what any type without a record of its own falls back to. */
export const rawRecord: FsRecord = fsRecords.dd;

const byName = new Map<string, FsRecord>(Object.values(fsRecords).flatMap((r) => [[r.image.fsName, r] as const, ...r.aliases.map((a) => [a, r] as const)]));

/** The record for a filesystem type as blkid reports it; anything unknown (LUKS, a missing type) is copied raw. */
export function fsRecord(type: string | undefined): FsRecord {
  return type !== undefined && Object.hasOwn(fsRecords, type) ? fsRecords[type as FsType] : rawRecord;
}

/** The record a name in an image's file name stands for (Clonezilla's fat32 is vfat), if Lifeboat knows it. */
export function fsRecordByName(fsName: string): FsRecord | undefined {
  return byName.get(fsName);
}

/** Handler for a filesystem type as blkid reports it; anything unknown is copied raw with partclone.dd. */
export function handlerForType(type: string | undefined): FsHandler {
  return fsRecord(type).image;
}

/** Handler for the fs name found in an image's file name (Clonezilla's or ours); the name is kept as found. */
export function handlerForFsName(fsName: string): FsHandler {
  if (fsName === rawHandler.fsName) return rawHandler;
  const known = fsRecordByName(fsName);
  if (known?.image.fsName === fsName) return known.image;
  // Clonezilla writes names such as fat32 or hfsp; partclone ships a binary for each.
  return partcloneHandler(fsName);
}

/** Whether Lifeboat can fill a grown partition with this filesystem. */
export function canGrow(type: string | undefined): boolean {
  return fsRecord(type).grow !== undefined;
}

/** How a filesystem type is mounted as a store or for a search, or undefined when it cannot be one. */
export function mountSpec(type: string | undefined): MountSpec | undefined {
  return fsRecord(type).mount;
}

/** The filesystem types Lifeboat can fit onto a smaller partition, with the least size of each (the shrink planner's input). */
export function shrinkableTypes(): Map<string, { floorBytes: number }> {
  return new Map(Object.values(fsRecords).flatMap((r) => (r.shrink ? [[r.type, { floorBytes: r.shrink.floorBytes }] as const] : [])));
}

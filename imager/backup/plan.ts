// Plans a backup without touching anything: what will be saved, how, where, how big, and any reason to refuse.
import path from 'node:path';
import type { Codec } from '../codec/codecs.js';
import type { Disk, Partition } from '../disks/probe.js';
import { bootPartitionNumbers, hiddenDataSectors } from '../boot/records.js';
import type { FsHandler } from '../fs/partclone.js';
import { handlerForType } from '../fs/registry.js';
import { names } from '../image/layout.js';
import type { PartitionAction } from '../image/manifest.js';
import { refusal, warning, warningText, type Refusal, type Warning } from '../plan/refusals.js';
import { rescuePolicy, stopPolicy } from '../rescue/partition.js';
import { rawRescuePolicy } from '../rescue/raw-copy.js';
import { describeLvmBackup, planLvmBackup, type LvmBackupPlan } from '../lvm/backup-plan.js';
import type { VgFacts } from '../lvm/probe.js';
import { freezePlan, hardLimitFactor } from '../running/freeze.js';
import type { RunningReadOptions } from '../running/options.js';
import { describeRecipe, recipeSteps, type DatabasePlacement, type DatabasePiece } from '../running/databases.js';

/** --db: where a database's files are, each piece with the source partition that holds it (none: another disk). */
export interface DatabaseFacts extends DatabasePlacement {
  pieces: Array<DatabasePiece & { partition?: string | undefined }>;
}

/** A mounted partition read frozen (running/freeze.ts): where it is mounted, and the plan's estimate of the freeze. */
export interface FrozenReadPlan {
  method: 'frozen';
  mountpoint: string;
  estimatedSeconds: number;
  limitSeconds: number;
}

export interface PlannedPartition {
  number: number;
  name: string; // kernel name, e.g. sda1 — used in file names as Clonezilla does
  device: string;
  action: PartitionAction;
  handler: FsHandler | undefined;
  /** Bytes partclone will read (used bytes; the whole partition for raw copies). */
  weight: number;
  usedMeasured: boolean;
  file: string | undefined; // base name of the image file (pieces add .aa …)
  source: Partition;
  /** A mounted partition's way of being read consistently; absent: read directly (it is not mounted). */
  read?: FrozenReadPlan;
}

export interface BackupPlan {
  disk: Disk;
  imageDir: string;
  /** The image in the store's words, as the plan, the events and refusals show it (ssh://…/pc); else imageDir. */
  shownImage: string;
  partialDir: string;
  codec: Codec;
  level: number | undefined;
  splitBytes: number | undefined;
  /** --rescue: go on past read errors (partclone's rescue mode) and record them; otherwise stop at the first. */
  rescue: boolean;
  hiddenDataSectors: number;
  bootPartitions: number[];
  partitions: PlannedPartition[];
  /** The VGs on the source's PVs: LV by LV in Clonezilla's LVM layout, or their PVs copied raw (lvm/backup-plan.ts). */
  lvm: LvmBackupPlan;
  /** Used bytes of the source: the free space the destination must have (compression usually saves more). */
  requiredBytes: number;
  freeBytes: number;
  /** How many bytes the store lacks (0 when it has room); the refusal then says so first. */
  spaceShortBytes: number;
  /** The image is encrypted (gocryptfs): a plan that must not leave a disk's content in plaintext asks this. */
  encrypted: boolean;
  /** Reading a running system: hooks and freezing as asked (running/options.ts); absent for a plain backup. */
  running: RunningReadOptions | undefined;
  /** --db: the databases brought to a consistent point before the reads, and where their files are. */
  databases: DatabaseFacts[];
  refusals: Refusal[];
  warnings: Warning[];
}

export interface BackupFacts {
  disk: Disk;
  imageDir: string;
  /** The image in the store's words, for refusals (ssh://…/pc, /dev/sdb1:/pc); by default imageDir. */
  describedImage?: string;
  imageDirExists: boolean;
  /** Whole-disk kernel name of the filesystem that will hold the image. */
  destinationDisk: string | undefined;
  freeBytes: number;
  /** A dry run: partitions the kernel has no nodes for (a real backup adds them with partx). */
  missingPartitionNodes?: number[];
  /** The VGs with a PV on the source (lvm/probe.ts). */
  lvm?: VgFacts[];
  /** --db: the databases' placements (running/databases.ts). */
  databases?: DatabaseFacts[];
}

export interface BackupOptions {
  codec: Codec;
  level: number | undefined;
  splitBytes: number | undefined;
  rescue?: boolean | undefined;
  /** Encrypt the image (gocryptfs in Clonezilla's layout). */
  encrypted?: boolean;
  /** Read a running system: --freeze for mounted filesystems, --pre/--post hooks. */
  running?: RunningReadOptions | undefined;
}

/** gocryptfs's growth of a file: an 18-byte header, and 32 bytes (nonce and tag) per 4 KiB block. */
function encryptedBytes(bytes: number): number {
  return Math.ceil((bytes * (4096 + 32)) / 4096) + 64 * 1024;
}

function actionFor(p: Partition, pvPartitions: readonly number[]): PartitionAction {
  if (p.extended) return 'extended';
  if (pvPartitions.includes(p.number)) return 'lvm-pv';
  if (p.fs.type === 'swap') return 'swap';
  return handlerForType(p.fs.type).fsName === 'dd' ? 'raw' : 'partclone';
}

export function planBackup(facts: BackupFacts, opts: BackupOptions): BackupPlan {
  const { disk } = facts;
  // A store's own words (restic:…) stay as they are; a folder is made absolute.
  const imageDir = /^[a-z]+:/.test(facts.imageDir) ? facts.imageDir : path.resolve(facts.imageDir);
  const shown = facts.describedImage ?? imageDir;
  const refusals: Refusal[] = [];
  const warnings: Warning[] = [];
  if (!disk.table) refusals.push(refusal('no-table', `${disk.device} has no partition table; Lifeboat images partitioned disks`));
  if (facts.imageDirExists) refusals.push(refusal('image-exists', `${shown} already exists; choose a new image name`));
  if (facts.destinationDisk === disk.name) refusals.push(refusal('store-on-source', `the image would be written to ${disk.device} itself; choose a store on another disk`));
  const missing = facts.missingPartitionNodes ?? [];
  if (missing.length > 0)
    warnings.push(warning('partition-nodes-missing', `the kernel has no nodes for partition${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${disk.device}; the backup adds them (partx -a) and measures them then`, 'this dry run changed nothing'));
  const lvm = planLvmBackup(disk, facts.lvm ?? [], opts.codec, opts.running?.snapshots === true);
  refusals.push(...lvm.refusals);
  const partitions: PlannedPartition[] = disk.partitions.map((p) => {
    const action = actionFor(p, lvm.pvPartitions);
    const handler = action === 'partclone' || action === 'raw' ? handlerForType(p.fs.type) : undefined;
    const used = action === 'raw' ? p.sizeBytes : (p.usedBytes ?? p.sizeBytes);
    const name = path.basename(p.device);
    return {
      number: p.number,
      name,
      device: p.device,
      action,
      handler,
      weight: handler ? used : 0,
      usedMeasured: action === 'raw' || p.usedBytes !== undefined,
      file: handler ? names.partImage(name, handler.fsName, opts.codec.suffix) : undefined,
      source: p,
    };
  });
  const running = opts.running;
  for (const p of disk.partitions) {
    const planned = partitions.find((q) => q.number === p.number)!;
    if (p.mountpoints.length > 0 && running?.freeze && planned.action === 'partclone') {
      const d = freezePlan({ device: p.device, fsType: p.fs.type, mountpoints: p.mountpoints, usedBytes: planned.weight }, running.freezeLimitSeconds);
      if (d.ok) planned.read = { method: 'frozen', mountpoint: d.mountpoint, estimatedSeconds: d.estimatedSeconds, limitSeconds: running.freezeLimitSeconds };
      else refusals.push(refusal('mounted', d.message, d.hint));
    } else if (p.mountpoints.length > 0)
      refusals.push(refusal('mounted', `${p.device} is mounted on ${p.mountpoints.join(', ')}; unmount it first (an image of a mounted filesystem is not consistent)`, 'or add --freeze to read it frozen (ext4, xfs, btrfs; not / or /var), or image it from the Lifeboat stick'));
    if (p.swapActive) refusals.push(refusal('swap-active', `${p.device} is active swap; run swapoff ${p.device} first`));
  }
  const databases = facts.databases ?? [];
  for (const db of databases) {
    const name = describeRecipe(db.recipe);
    const on = db.pieces.filter((x) => x.partition !== undefined);
    if (on.length === 0) warnings.push(warning('database-elsewhere', `${name} keeps its files on no partition of ${disk.device} (data ${db.pieces[0]?.path}): its CHECKPOINT changes nothing of this image`, 'image the disk that holds them'));
    else if (new Set(db.pieces.map((x) => x.majMin)).size > 1)
      warnings.push(warning('database-split', `${name} keeps its ${db.pieces.map((x) => `${x.what} (${x.path}${x.partition ? ` on ${x.partition}` : ', another disk'})`).join(', ')} on different filesystems: each is read at its own instant, and together they are not consistent`, 'keep them on one filesystem, or stop the server in --pre'));
  }
  // --rescue stages each raw partition beside the image (ddrescue needs a file it can seek), one at a time.
  const lvBytes = lvm.vgs.flatMap((v) => v.lvs).reduce((n, l) => n + l.weight, 0);
  const plainBytes = partitions.reduce((n, p) => n + p.weight, 0) + lvBytes + 2 * 1024 * 1024 + (opts.rescue ? rawStagingBytes(partitions) : 0);
  const encrypted = opts.encrypted === true;
  const requiredBytes = encrypted ? encryptedBytes(plainBytes) : plainBytes;
  const spaceShortBytes = refusals.length === 0 ? Math.max(0, requiredBytes - facts.freeBytes) : 0;
  if (spaceShortBytes > 0)
    refusals.push(refusal('no-space', `not enough free space at ${path.dirname(shown)}: ${facts.freeBytes} bytes free, the source uses ${requiredBytes} bytes`, 'free space on the store, or choose another one'));
  const base = path.basename(imageDir);
  return {
    disk,
    imageDir,
    shownImage: shown,
    partialDir: path.join(path.dirname(imageDir), `.${base}.lifeboat-partial`),
    codec: opts.codec,
    level: opts.level,
    splitBytes: opts.splitBytes,
    rescue: opts.rescue === true,
    hiddenDataSectors: disk.table ? hiddenDataSectors(disk.table) : 0,
    bootPartitions: disk.table ? bootPartitionNumbers(disk.table) : [],
    partitions,
    lvm,
    requiredBytes,
    freeBytes: facts.freeBytes,
    spaceShortBytes,
    encrypted,
    running,
    databases,
    refusals,
    warnings,
  };
}

/** The largest raw partition: the staging file --rescue needs beside the image (partitions are staged one at a time). */
export function rawStagingBytes(partitions: readonly PlannedPartition[]): number {
  return Math.max(0, ...partitions.filter((p) => p.action === 'raw').map((p) => p.weight));
}

/** The plan in words, for the CLI's confirmation and the UI's summary screen. */
export function describeBackupPlan(plan: BackupPlan): string[] {
  const lines = [`Back up ${plan.disk.device} (${plan.disk.tableType}, ${plan.disk.sizeBytes} bytes) to ${plan.shownImage}`];
  lines.push(`  compression ${plan.codec.name}${plan.level !== undefined ? ` level ${plan.level}` : ''}${plan.splitBytes ? `, split into ${plan.splitBytes}-byte pieces` : ''}`);
  if (plan.encrypted) lines.push('  encrypted with gocryptfs (Clonezilla\'s layout): restoring it needs the passphrase');
  for (const p of plan.partitions) {
    const what = p.action === 'partclone' ? `${p.handler?.fsName} with partclone, ${p.weight} bytes used` : p.action === 'raw' ? `raw copy (partclone.dd), ${p.weight} bytes` : p.action === 'swap' ? 'swap: UUID and label recorded' : p.action === 'lvm-pv' ? 'LVM PV: saved through its VG\'s LVs (below)' : 'extended: boot record saved';
    const frozen = p.read ? `; mounted on ${p.read.mountpoint}: frozen (fsfreeze) while partclone reads it, about ${p.read.estimatedSeconds} s (limit ${p.read.limitSeconds} s; stopped at ${hardLimitFactor * p.read.limitSeconds} s)` : '';
    lines.push(`  ${p.name}: ${what}${frozen}`);
  }
  lines.push(...describeLvmBackup(plan.lvm));
  const r = plan.running;
  if (r?.pre) lines.push(`  before anything is read: --pre ${JSON.stringify(r.pre)} (within ${r.hookTimeoutSeconds} s; if it fails, nothing is written)`);
  if (r?.post) lines.push(`  once every volume is read, also after a failure: --post ${JSON.stringify(r.post)} (within ${r.hookTimeoutSeconds} s)`);
  for (const db of plan.databases) lines.push(`  ${describeRecipe(db.recipe)}: ${recipeSteps(db.recipe)} (data ${db.pieces[0]?.path}${db.pieces[0]?.partition ? ` on ${db.pieces[0].partition}` : ''})`);
  lines.push(`  ${plan.rescue ? rescuePolicy : stopPolicy}`);
  if (plan.rescue && plan.partitions.some((p) => p.action === 'raw')) lines.push(`  ${rawRescuePolicy} (up to ${rawStagingBytes(plan.partitions)} bytes of staging)`);
  lines.push(`  needs up to ${plan.requiredBytes} bytes, ${plan.freeBytes} free`);
  for (const w of plan.warnings) lines.push(`  note: ${warningText(w)}`);
  for (const r of plan.refusals) lines.push(`  REFUSED: ${r.message}`);
  return lines;
}

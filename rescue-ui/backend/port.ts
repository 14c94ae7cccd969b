// The port the rescue UI's screens call: everything they need from the imager, as plain data. The real
// implementation (imager-backend.ts) runs the imager library in-process; the component tests use a fake.
import type { Disk } from '../../imager/disks/probe.js';
import type { ImagerEvent } from '../../imager/events.js';
import type { CommandLogEntry } from '../../core/runner/run.js';
import type { Refusal, Warning } from '../../imager/plan/refusals.js';

export type { Disk, ImagerEvent, CommandLogEntry, Refusal, Warning };

export type CompressionChoice = 'zstd' | 'gzip' | 'xz' | 'none';

/** A partition that can hold images: a filesystem on an attached disk, mounted for a job only. */
export interface Store {
  /** The partition, e.g. /dev/sdb1. */
  device: string;
  /** The disk it is on, e.g. /dev/sdb. */
  disk: string;
  fsType: string;
  label: string | undefined;
  sizeBytes: number;
  usedBytes: number | undefined;
  /** Where it is mounted already (by someone else), if it is. */
  mountedAt: string | undefined;
}

export interface BackupRequest {
  disk: string;
  store: Store;
  /** The image directory's name inside the store. */
  name: string;
  compression: CompressionChoice;
}

/** A backup plan in words: the library's own description and refusals. */
export interface BackupSummary {
  /** The library's own description of the plan (describeBackupPlan). */
  lines: string[];
  source: { device: string; tableType: string; sizeBytes: number };
  partitions: { name: string; what: string; bytes: number }[];
  refusals: Refusal[];
  imageDir: string;
  requiredBytes: number;
  freeBytes: number;
}

export interface BackupOutcome {
  imageDir: string;
  bytes: number;
  seconds: number;
  partitions: number;
  /** The verification right after the backup. */
  verified: VerifyOutcome;
}

/** An image found on a store. */
export interface FoundImage {
  /** The store partition it is on. */
  store: string;
  /** Its path inside the store (e.g. images/pc-2026-11-26). */
  path: string;
  origin: 'lifeboat' | 'clonezilla';
  diskName: string;
  tableType: string;
  /** Bytes the target disk must have. */
  requiredBytes: number;
  /** Bytes of the image files. */
  imageBytes: number;
  createdAt: string | undefined;
  partitions: { name: string; fsType: string | undefined; label: string | undefined; imageBytes: number; action: string }[];
  /** The partition a restore onto a larger disk can grow to fill it (the one that ends last), if any. */
  last: { name: string; fsType: string | undefined; fsGrows: boolean } | undefined;
  /** Why it cannot be used (incomplete, damaged), if so. */
  problem: string | undefined;
}

export interface ChecksumReport {
  /** 'no-manifest' for Clonezilla images: nothing to compare before restoring. */
  state: 'ok' | 'damaged' | 'no-manifest';
  files: number;
  problems: { file: string; reason: string }[];
}

export interface RestoreRequest {
  image: FoundImage;
  disk: string;
  bootOnly: boolean;
  /** Grow the last partition and its filesystem to the end of a larger target (the CLI's --grow). */
  grow: boolean;
  /** Fit the partitions to a smaller target, shrinking them to their used data (the CLI's --shrink). */
  shrink?: boolean;
}

export interface RestoreSummary {
  lines: string[];
  steps: string[];
  /** With shrink: the new layout, old size -> new size of every partition, and the staging space (empty otherwise). */
  layout: string[];
  refusals: Refusal[];
  /** The library's notes, by code; a face shows the message (the hint speaks to the CLI's user). */
  warnings: Warning[];
  target: { device: string; name: string; sizeBytes: number; model: string | undefined };
}

export interface RestoreOutcome {
  device: string;
  seconds: number;
  bytes: number;
  steps: string[];
}

export interface CloneRequest {
  /** The source disk: only read. */
  source: string;
  /** The target disk: everything on it is overwritten. */
  target: string;
  /** Grow the last partition and its filesystem to the end of a larger target (the CLI's --grow). */
  grow: boolean;
}

/** A clone plan in words: the library's own steps, notes and refusals. */
export interface CloneSummary {
  lines: string[];
  steps: string[];
  refusals: Refusal[];
  warnings: Warning[];
  /** Bytes the target needs for the source's partitions as they are. */
  requiredBytes: number;
  source: { device: string; sizeBytes: number };
  target: { device: string; name: string; sizeBytes: number; model: string | undefined };
}

export interface CloneOutcome {
  source: string;
  device: string;
  seconds: number;
  bytes: number;
  steps: string[];
}

export interface VerifyOutcome {
  ok: boolean;
  checkedFiles: number;
  checkedPartitions: number;
  problems: { file: string; reason: string }[];
  seconds: number;
}

export interface JobHooks {
  onEvent: (e: ImagerEvent) => void;
  signal: AbortSignal;
}

export interface Backend {
  listDisks(): Promise<Disk[]>;
  /** Partitions that can hold a backup of `sourceDisk` (on other disks, with a filesystem). */
  listStores(sourceDisk: string): Promise<Store[]>;
  planBackup(req: BackupRequest): Promise<BackupSummary>;
  runBackup(req: BackupRequest, hooks: JobHooks): Promise<BackupOutcome>;
  /** Images on every store of the attached disks (each store mounted read-only while it is searched). */
  findImages(): Promise<FoundImage[]>;
  checkImage(image: FoundImage): Promise<ChecksumReport>;
  planRestore(req: RestoreRequest): Promise<RestoreSummary>;
  runRestore(req: RestoreRequest, hooks: JobHooks): Promise<RestoreOutcome>;
  verify(image: FoundImage, hooks: JobHooks): Promise<VerifyOutcome>;
  planClone(req: CloneRequest): Promise<CloneSummary>;
  runClone(req: CloneRequest, hooks: JobHooks): Promise<CloneOutcome>;
  /** Every command run in this session, oldest first. */
  log(): CommandLogEntry[];
  /** Calls fn for each new log entry; returns the function that stops it. */
  onLog(fn: (e: CommandLogEntry) => void): () => void;
  /** systemctl reboot or poweroff. */
  power(action: 'reboot' | 'poweroff'): Promise<void>;
  /** Stops the jobs under way and waits for their clean-up, then unmounts whatever the backend mounted (idempotent). */
  close(): Promise<void>;
}

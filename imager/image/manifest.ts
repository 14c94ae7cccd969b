// Lifeboat's manifest (lifeboat.json): its types, validation with ajv on every read, and atomic writes.
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { readFile, rename, writeFile, open } from 'node:fs/promises';
import path from 'node:path';
import { InvalidImageError } from '../../core/errors.js';
import { manifestFile } from './layout.js';
import schema from './manifest.schema.json' with { type: 'json' };
import type { DiskLayout } from '../layout/model.js';
import type { UnreadableRange } from '../rescue/ranges.js';
import type { KeptConfig } from '../config/kept.js';
import type { ReadMethod } from '../running/options.js';

/** lvm-pv: an LVM PV whose VG is saved LV by LV (the manifest's `lvm`), with no image file of its own. */
export type PartitionAction = 'partclone' | 'raw' | 'swap' | 'extended' | 'lvm-pv';

/** What a saved partition or LV records of its filesystem and its data. */
export interface ManifestVolume {
  fsType?: string;
  fsUuid?: string;
  fsLabel?: string;
  fsName?: string;
  tool?: string;
  files?: string[];
  usedBytes?: number;
  imageBytes?: number;
  seconds?: number;
  /** --rescue: what could not be read; absent when everything was. */
  unreadable?: ManifestUnreadable;
  /** How a running system's volume was read (running/options.ts); absent for a disk imaged with nothing mounted. */
  read?: ReadMethod;
}

export interface ManifestPartition extends ManifestVolume {
  number: number;
  name: string;
  start: number;
  size: number;
  type: string;
  uuid?: string;
  label?: string;
  action: PartitionAction;
}

/** One LV of a VG saved LV by LV (Clonezilla's LVM layout). */
export interface ManifestLv extends ManifestVolume {
  name: string;
  /** /dev/<vg>/<lv> */
  path: string;
  sizeBytes: number;
  action: 'partclone' | 'raw' | 'swap';
}

/** A VG saved LV by LV: its metadata file (vgcfgbackup), its PVs on the source disk, its LVs. */
export interface ManifestVg {
  name: string;
  uuid: string;
  /** lvm_<vg>.conf */
  conf: string;
  pvs: Array<{ partition: number; device: string; uuid: string }>;
  lvs: ManifestLv[];
}

/** A partition's unreadable sectors (written into the image as partclone's BADSECTOR filler) and what they hit. */
export interface ManifestUnreadable {
  ranges: UnreadableRange[];
  bytes: number;
  /** Whether the filesystem could tell which files lie there (ext2/3/4: debugfs icheck and ncheck). */
  filesKnown: boolean;
  /** The files whose data lies in the ranges, when filesKnown. */
  files?: string[];
  /** Why the files are not known, or what else is worth saying (blocks that no file owns). */
  note?: string;
}

/** complete: every sector was read; complete-with-unreadable-sectors: --rescue went past read errors (see each partition's unreadable). */
export type ImageState = 'in-progress' | 'complete' | 'complete-with-unreadable-sectors';

/** Whether a manifest's image was finished (with or without unreadable sectors). */
export function isComplete(m: Pick<Manifest, 'state'>): boolean {
  return m.state === 'complete' || m.state === 'complete-with-unreadable-sectors';
}

export interface FileDigest {
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: 'lifeboat-image';
  /** 1: written before the layout tree existed (still read); 2: carries `layout`. */
  version: 1 | 2;
  state: ImageState;
  /** --rescue: how read errors were handled (the plan's words), recorded with the image. */
  rescue?: { policy: string };
  createdAt: string;
  finishedAt?: string;
  lifeboatVersion: string;
  source: {
    device: string;
    name: string;
    ids?: string[];
    model?: string;
    serial?: string;
    wwn?: string;
    backingFile?: string;
    sizeBytes: number;
    logicalSectorSize: number;
    physicalSectorSize: number;
  };
  table: { type: 'gpt' | 'dos' | 'none'; id?: string; sectorSize?: number; firstLba?: number; lastLba?: number; requiredBytes?: number };
  compression: { codec: 'zstd' | 'gzip' | 'xz' | 'none'; level?: number; splitBytes?: number };
  partitions: ManifestPartition[];
  /** Version 2: the source disk's layout tree at backup time. */
  layout?: DiskLayout;
  /** The VGs saved LV by LV (absent when the source has none). */
  lvm?: ManifestVg[];
  bootRecords: {
    mbr?: string;
    hiddenDataAfterMbr?: string;
    hiddenDataBytes?: number;
    gpt1st?: string;
    gpt2nd?: string;
    gptBackup?: string;
    bootPartitions?: number[];
  };
  files: Record<string, FileDigest>;
  /** The systems' configuration kept in readable form beside the images (lifeboat-config/; absent when none was found). */
  config?: KeptConfig[];
  tools: Record<string, string>;
  timings: Record<string, number>;
}

// Compiled on first use: compiling costs tens of milliseconds that a backup's start-up does not need to pay.
let validator: ValidateFunction<Manifest> | undefined;
function validate(data: unknown): data is Manifest {
  validator ??= new Ajv2020({ allErrors: true, strict: true, validateFormats: false }).compile<Manifest>(schema);
  return validator(data);
}

export const manifestSchema = schema;

/** The version new backups write. */
export const manifestVersion = 2;

/** Reads and validates lifeboat.json; undefined when the directory has none. */
export async function readManifest(dir: string): Promise<Manifest | undefined> {
  const file = path.join(dir, manifestFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InvalidImageError(`${file} is not valid JSON`, { file: manifestFile, hint: 'the image is damaged; back the disk up again' });
  }
  if (!validate(data)) {
    const why = (validator?.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new InvalidImageError(`${file} does not match the manifest schema: ${why}`, { file: manifestFile });
  }
  return data;
}

/** Writes lifeboat.json through a temporary file and rename, fsynced, so a crash leaves the old or the new one. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const file = path.join(dir, manifestFile);
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  const fh = await open(tmp, 'r');
  await fh.sync();
  await fh.close();
  await rename(tmp, file);
}

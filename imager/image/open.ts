// Opens an image directory, Lifeboat's (with a manifest) or Clonezilla's (without), as one typed description.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidImageError, NotFoundError } from '../../core/errors.js';
import { codecBySuffix, codecs, type Codec } from '../codec/codecs.js';
import { bootPartitionNumbers, gptBackupSectors, hiddenDataLimitBytes } from '../boot/records.js';
import { isExtended, parseSfdiskDump, type PartitionTable } from '../parse/sfdisk.js';
import type { FsHandler } from '../fs/partclone.js';
import { handlerForFsName } from '../fs/registry.js';
import { names, parsePartImageName } from './layout.js';
import { isComplete, readManifest, type Manifest, type PartitionAction } from './manifest.js';
import { layoutFromTable } from '../layout/build.js';
import type { DiskLayout } from '../layout/model.js';
import { readImageLvm, type ImageVg } from '../lvm/image.js';

export interface ImagePartition {
  number: number;
  name: string;
  action: PartitionAction;
  handler: FsHandler | undefined;
  /** Absolute paths of the image pieces, in order. */
  files: string[];
  swap?: { uuid: string | undefined; label: string | undefined };
  /** An extended partition's saved boot record (<part>-ebr), if the image has one. */
  ebr?: string;
  /** Start sector in the image's table. */
  start: number;
  fsType: string | undefined;
  fsLabel: string | undefined;
  fsUuid: string | undefined;
  imageBytes: number;
}

export interface Image {
  dir: string;
  origin: 'lifeboat' | 'clonezilla';
  manifest: Manifest | undefined;
  diskName: string;
  table: PartitionTable;
  /** The partition table script, as saved (sfdisk --dump). */
  tableDump: string;
  /** The source's layout tree: recorded in a version 2 manifest; else the table, each partition's content unknown. */
  layout: DiskLayout;
  codec: Codec;
  partitions: ImagePartition[];
  requiredBytes: number;
  files: { mbr: string | undefined; hiddenDataAfterMbr: string | undefined };
  bootPartitions: number[];
  /** The VGs saved LV by LV (Clonezilla's LVM layout); their PVs' partitions have action lvm-pv. */
  lvm: ImageVg[];
}

async function existsFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

function parseSwapInfo(text: string): { uuid: string | undefined; label: string | undefined } {
  const get = (k: string) => new RegExp(`^${k}="([^"]*)"`, 'm').exec(text)?.[1] || undefined;
  return { uuid: get('UUID'), label: get('LABEL') };
}

export async function openImage(dirArg: string): Promise<Image> {
  const dir = path.resolve(dirArg);
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new InvalidImageError(`${dirArg} is not an image directory`, { hint: 'give the directory that holds the image files' });
    entries = await readdir(dir);
  } catch (e) {
    if (e instanceof InvalidImageError) throw e;
    throw new NotFoundError(`no such image directory: ${dirArg}`);
  }
  const manifest = await readManifest(dir);
  if (manifest && !isComplete(manifest))
    throw new InvalidImageError(`${dirArg} is an incomplete image: its backup did not finish`, { hint: 'back the disk up again; this directory can be deleted' });
  if (!entries.includes(names.disk) || !entries.includes(names.parts))
    throw new InvalidImageError(`${dirArg} is not a Lifeboat or Clonezilla disk image (no 'disk' and 'parts' files)`, { hint: 'give the directory of a saved disk image' });
  const diskName = (await readFile(path.join(dir, names.disk), 'utf8')).trim().split(/\s+/)[0] ?? '';
  const ptFile = names.partTable(diskName);
  if (!entries.includes(ptFile)) throw new InvalidImageError(`${dirArg} has no partition table file ${ptFile}`, { file: ptFile });
  const tableDump = await readFile(path.join(dir, ptFile), 'utf8');
  let table: PartitionTable;
  try {
    table = parseSfdiskDump(tableDump);
  } catch (e) {
    throw new InvalidImageError(`${ptFile} is not a partition table: ${(e as Error).message}`, { file: ptFile });
  }
  const partNames = (await readFile(path.join(dir, names.parts), 'utf8')).trim().split(/\s+/).filter(Boolean);
  const byName = new Map<string, string[]>();
  let codec: Codec | undefined = manifest ? codecs[manifest.compression.codec] : undefined;
  const fsNames = new Map<string, string>();
  for (const e of entries) {
    const n = parsePartImageName(e);
    if (!n) continue;
    byName.set(n.part, [...(byName.get(n.part) ?? []), e]);
    fsNames.set(n.part, n.fsName);
    codec ??= codecBySuffix(n.suffix);
    if (!codecBySuffix(n.suffix)) throw new InvalidImageError(`${e} uses compression '${n.suffix}', which Lifeboat cannot read`, { file: e });
  }
  const lvm = await readImageLvm(dir, entries, diskName, manifest);
  const pvNumbers = new Set(lvm.flatMap((vg) => vg.pvs.map((p) => p.number)));
  const partitions: ImagePartition[] = [];
  const manifestParts = new Map((manifest?.partitions ?? []).map((p) => [p.name, p]));
  for (const tp of table.partitions) {
    // Names in the image are the source's kernel names: match by number.
    const name = [...partNames, ...[...byName.keys()], ...entries.filter((e) => e.startsWith('swappt-')).map((e) => e.slice(7, -5)), ...[...manifestParts.keys()]].find(
      (n) => Number(/(\d+)$/.exec(n)?.[1]) === tp.number && n.startsWith(diskName),
    ) ?? `${diskName}${/\d$/.test(diskName) ? 'p' : ''}${tp.number}`;
    const m = manifestParts.get(name);
    const swapFile = names.swapInfo(name);
    if (isExtended(table, tp)) {
      const ebr = path.join(dir, `${name}-ebr`);
      partitions.push({ number: tp.number, name, action: 'extended', handler: undefined, files: [], fsType: undefined, fsLabel: undefined, fsUuid: undefined, imageBytes: 0, start: tp.start, ...((await existsFile(ebr)) ? { ebr } : {}) });
    } else if (pvNumbers.has(tp.number)) {
      // A PV: no image of its own; restore recreates it and its VG, then each LV (lvm/restore-plan.ts).
      partitions.push({ number: tp.number, name, action: 'lvm-pv', handler: undefined, files: [], fsType: undefined, fsLabel: undefined, fsUuid: undefined, imageBytes: 0, start: tp.start });
    } else if (byName.has(name)) {
      const files = (m?.files ?? byName.get(name)!.sort()).map((f) => path.join(dir, f));
      const fsName = m?.fsName ?? fsNames.get(name)!;
      let bytes = 0;
      for (const f of files) {
        try {
          bytes += (await stat(f)).size;
        } catch {
          throw new InvalidImageError(`image file ${path.basename(f)} is missing`, { file: path.basename(f) });
        }
      }
      partitions.push({ number: tp.number, name, action: fsName === 'dd' ? 'raw' : 'partclone', handler: handlerForFsName(fsName), files, fsType: m?.fsType ?? fsName, fsLabel: m?.fsLabel, fsUuid: m?.fsUuid, imageBytes: bytes, start: tp.start });
    } else if (entries.includes(swapFile)) {
      const swap = parseSwapInfo(await readFile(path.join(dir, swapFile), 'utf8'));
      partitions.push({ number: tp.number, name, action: 'swap', handler: undefined, files: [], swap, fsType: 'swap', fsLabel: swap.label, fsUuid: swap.uuid, imageBytes: 0, start: tp.start });
    } else if (partNames.includes(name)) {
      throw new InvalidImageError(`the image of ${name} is missing`, { file: name });
    } else {
      // A partition Clonezilla did not save (e.g. unknown and skipped): the table is restored, its content is not.
      partitions.push({ number: tp.number, name, action: 'raw', handler: undefined, files: [], fsType: undefined, fsLabel: undefined, fsUuid: undefined, imageBytes: 0, start: tp.start });
    }
  }
  const end = Math.max(0, ...table.partitions.map((p) => p.start + p.size));
  const mbr = names.mbr(diskName);
  const hidden = names.hiddenAfterMbr(diskName);
  const hiddenOk = (await existsFile(path.join(dir, hidden))) && (await stat(path.join(dir, hidden))).size < hiddenDataLimitBytes;
  return {
    dir,
    origin: manifest ? 'lifeboat' : 'clonezilla',
    manifest,
    diskName,
    table,
    tableDump,
    layout: manifest?.version === 2 && manifest.layout?.table ? manifest.layout : layoutFromTable(table, manifest?.source.sizeBytes ?? (end + (table.type === 'gpt' ? gptBackupSectors : 0)) * table.sectorSize),
    codec: codec ?? codecs.none,
    partitions,
    requiredBytes: manifest?.table.requiredBytes ?? (end + (table.type === 'gpt' ? gptBackupSectors : 0)) * table.sectorSize,
    files: { mbr: (await existsFile(path.join(dir, mbr))) ? path.join(dir, mbr) : undefined, hiddenDataAfterMbr: hiddenOk ? path.join(dir, hidden) : undefined },
    bootPartitions: manifest?.bootRecords.bootPartitions ?? bootPartitionNumbers(table),
    lvm,
  };
}

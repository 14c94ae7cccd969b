// Builds the typed picture of a disk (identity, table, partitions, filesystems, usage, mounts) from lsblk, sfdisk and blkid.
import { CommandError } from '../../core/errors.js';
import { parseBlkidExport, type BlkidInfo } from '../parse/blkid.js';
import { lsblkColumns, parseLsblkJson, type LsblkDevice } from '../parse/lsblk.js';
import { isExtended, parseSfdiskJson, type PartitionTable } from '../parse/sfdisk.js';
import type { Runner } from '../../core/runner/run.js';
import { partitionPath } from './names.js';
import { liveMediumDisk, loopBackingFile, majMinOf, mountedDevices, stableIds, swapDevices } from './sysfs.js';
import { usedBytes } from './usage.js';
import { probeLayout } from '../layout/probe.js';
import type { DiskLayout } from '../layout/model.js';

export interface Partition {
  number: number;
  device: string;
  start: number; // sectors
  size: number; // sectors
  sizeBytes: number;
  type: string;
  uuid: string | undefined;
  name: string | undefined;
  extended: boolean;
  fs: BlkidInfo;
  usedBytes: number | undefined;
  mountpoints: string[];
  swapActive: boolean;
}

export interface Disk {
  device: string;
  name: string;
  majMin: string;
  ids: string[];
  model: string | undefined;
  serial: string | undefined;
  wwn: string | undefined;
  sizeBytes: number;
  logicalSectorSize: number;
  physicalSectorSize: number;
  removable: boolean;
  readOnly: boolean;
  transport: string | undefined;
  backingFile: string | undefined;
  table: PartitionTable | undefined;
  tableType: 'gpt' | 'dos' | 'none';
  partitions: Partition[];
  /** The tree: table, partitions, and what each holds (LUKS, LVM PV with its VG's LVs, md member, …), nested. */
  layout: DiskLayout;
  /** Mounted anywhere: the disk itself or any of its partitions (or swap in use). */
  inUse: boolean;
  liveMedium: boolean;
  /** Why the disk could not be read, when it could not (e.g. no permission). */
  problem?: string;
}

class UnreadableDisk extends Error {}

async function readTable(runner: Runner, device: string): Promise<PartitionTable | undefined> {
  try {
    const { stdout } = await runner.run('sfdisk', ['--json', device]);
    return parseSfdiskJson(stdout);
  } catch (e) {
    if (e instanceof CommandError && /does not contain a recognized partition table/.test(e.stderrTail)) return undefined;
    if (e instanceof CommandError && e.exitCode !== undefined && e.stderrTail === '') return undefined;
    if (e instanceof CommandError && /cannot open/.test(e.stderrTail)) throw new UnreadableDisk(e.stderrTail.trim());
    throw e;
  }
}

export async function probeBlkid(runner: Runner, device: string): Promise<BlkidInfo> {
  // blkid -p exits 2 when it finds nothing it knows.
  const { stdout } = await runner.run('blkid', ['-p', '-o', 'export', device], { okExitCodes: [2] });
  return parseBlkidExport(stdout);
}

/** Every disk the kernel shows (disks, loop devices with a backing file), probed in full. */
export async function listDisks(runner: Runner): Promise<Disk[]> {
  const { stdout } = await runner.run('lsblk', ['--json', '--bytes', '-o', lsblkColumns.join(',')]);
  const devices = parseLsblkJson(stdout).filter((d) => (d.type === 'disk' || d.type === 'loop') && d.size > 0 && !d.name.startsWith('zram'));
  const out: Disk[] = [];
  for (const d of devices) out.push(await describe(runner, d));
  return out;
}

/** One disk, probed in full. */
export async function probeDisk(runner: Runner, device: string): Promise<Disk> {
  const { stdout } = await runner.run('lsblk', ['--json', '--bytes', '-o', lsblkColumns.join(','), device]);
  const d = parseLsblkJson(stdout)[0];
  if (!d) throw new Error(`lsblk did not describe ${device}`);
  return describe(runner, d);
}

async function describe(runner: Runner, d: LsblkDevice): Promise<Disk> {
  const mounts = await mountedDevices();
  const swaps = new Set(await swapDevices());
  const live = await liveMediumDisk();
  let table: PartitionTable | undefined;
  let problem: string | undefined;
  try {
    table = await readTable(runner, d.path);
  } catch (e) {
    if (!(e instanceof UnreadableDisk)) throw e;
    problem = e.message;
  }
  const children = new Map(d.children.map((c) => [c.path, c]));
  const partitions: Partition[] = [];
  const probed = new Map<string, BlkidInfo>();
  for (const p of table?.partitions ?? []) {
    const device = partitionPath(d.path, p.number);
    const child = children.get(device);
    let majMin = child?.majMin;
    if (!majMin) {
      try {
        majMin = await majMinOf(device);
      } catch {
        majMin = undefined;
      }
    }
    const present = majMin !== undefined;
    const extended = table ? isExtended(table, p) : false;
    const fs: BlkidInfo = present && !extended ? await probeBlkid(runner, device) : { type: undefined, uuid: undefined, label: undefined, version: undefined, usage: undefined, ptType: undefined, raw: {} };
    if (present && !extended) probed.set(device, fs);
    const mountpoints = majMin ? (mounts.get(majMin) ?? []) : [];
    partitions.push({
      number: p.number,
      device,
      start: p.start,
      size: p.size,
      sizeBytes: p.size * (table?.sectorSize ?? 512),
      type: p.type,
      uuid: p.uuid,
      name: p.name,
      extended,
      fs,
      usedBytes: present && !extended ? await usedBytes(runner, device, fs.type, mountpoints) : undefined,
      mountpoints,
      swapActive: swaps.has(device),
    });
  }
  const diskMounted = (mounts.get(d.majMin) ?? []).length > 0 || swaps.has(d.path);
  const inUse = diskMounted || partitions.some((p) => p.mountpoints.length > 0 || p.swapActive) || d.children.some((c) => c.mountpoints.length > 0);
  return {
    device: d.path,
    name: d.name,
    majMin: d.majMin,
    ids: await stableIds(d.path),
    model: d.model,
    serial: d.serial,
    wwn: d.wwn,
    sizeBytes: d.size,
    logicalSectorSize: d.logicalSectorSize,
    physicalSectorSize: d.physicalSectorSize,
    removable: d.removable,
    readOnly: d.readOnly,
    transport: d.transport,
    backingFile: d.type === 'loop' ? await loopBackingFile(d.name) : undefined,
    table,
    tableType: table?.type ?? 'none',
    partitions,
    layout: await probeLayout(runner, d, table, (n) => partitionPath(d.path, n), probed),
    inUse,
    liveMedium: live === d.name,
    ...(problem ? { problem } : {}),
  };
}

// Gathers what the layout builder needs beyond the partitions' own probes: blkid of nested nodes, LVM and md metadata.
import type { Runner } from '../../core/runner/run.js';
import { parseBlkidExport, type BlkidInfo } from '../parse/blkid.js';
import type { LsblkDevice } from '../parse/lsblk.js';
import { lvsFields, parseLvs, parsePvs, pvsFields, type LvRecord, type PvRecord } from '../parse/lvm.js';
import { parseMdadmExamine, type MdExamine } from '../parse/mdadm.js';
import type { PartitionTable } from '../parse/sfdisk.js';
import { buildLayout } from './build.js';
import type { DiskLayout } from './model.js';

/** LVM reads metadata only: no locks, no udev, no device-mapper, nothing written (no backup or archive files). */
const lvmReadOnly = ['--readonly', '--config', 'activation{udev_sync=0} backup{backup=0 archive=0}', '--noheadings', '--nameprefixes', '--units', 'b'];
const lvmEnv = { LVM_SUPPRESS_FD_WARNINGS: '1' };

/** blkid -p of one device; a device that went away meanwhile, or cannot be read, has unknown content. */
async function blkidOf(runner: Runner, device: string): Promise<BlkidInfo | undefined> {
  try {
    const { stdout } = await runner.run('blkid', ['-p', '-o', 'export', device], { okExitCodes: [2] });
    return parseBlkidExport(stdout);
  } catch {
    return undefined;
  }
}

/** What LVM says of these PVs and their VGs' LVs; nothing when LVM's tools are missing or fail. */
async function lvmOf(runner: Runner, pvDevices: string[]): Promise<{ pvs: PvRecord[]; lvs: LvRecord[] }> {
  if (pvDevices.length === 0) return { pvs: [], lvs: [] };
  try {
    const pvs = parsePvs((await runner.run('pvs', [...lvmReadOnly, '-o', pvsFields.join(','), ...pvDevices], { env: lvmEnv })).stdout);
    const vgs = [...new Set(pvs.map((p) => p.vgName).filter((v): v is string => v !== undefined))];
    const lvs = vgs.length ? parseLvs((await runner.run('lvs', [...lvmReadOnly, '-o', lvsFields.join(','), ...vgs], { env: lvmEnv })).stdout) : [];
    return { pvs, lvs };
  } catch {
    return { pvs: [], lvs: [] };
  }
}

async function mdOf(runner: Runner, device: string): Promise<MdExamine | undefined> {
  try {
    return parseMdadmExamine((await runner.run('mdadm', ['--examine', '--export', device])).stdout);
  } catch {
    return undefined;
  }
}

/**
 * Probes what sits on a disk and builds its layout tree. `probed` holds the blkid results the caller already has
 * (its partitions'); every other node lsblk shows (opened LUKS, active LVs, assembled arrays; the disk itself
 * when it has no table) is probed here.
 */
export async function probeLayout(runner: Runner, disk: LsblkDevice, table: PartitionTable | undefined, partitionPath: (n: number) => string, probed: ReadonlyMap<string, BlkidInfo>): Promise<DiskLayout> {
  const blkid = new Map(probed);
  const wanted: string[] = table ? [] : [disk.path];
  const walk = (d: LsblkDevice) => {
    for (const c of d.children) {
      if (c.type !== 'part') wanted.push(c.path);
      walk(c);
    }
  };
  walk(disk);
  for (const dev of wanted) {
    if (blkid.has(dev)) continue;
    const b = await blkidOf(runner, dev);
    if (b) blkid.set(dev, b);
  }
  const pvDevices = [...blkid].filter(([, b]) => b.type === 'LVM2_member').map(([d]) => d);
  const md = new Map<string, MdExamine>();
  for (const [dev, b] of blkid) {
    if (b.type !== 'linux_raid_member') continue;
    const m = await mdOf(runner, dev);
    if (m) md.set(dev, m);
  }
  const { pvs, lvs } = await lvmOf(runner, pvDevices);
  return buildLayout({ disk, table, partitionPath, blkid, pvs, lvs, md });
}

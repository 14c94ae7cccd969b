// Asks LVM (through the Runner) about the VGs whose PVs lie on a disk, and probes each active LV's filesystem; activates and deactivates VGs for a job.
import type { Runner } from '../../core/runner/run.js';
import type { Disk } from '../disks/probe.js';
import { probeBlkid } from '../disks/probe.js';
import { majMinOf, mountedDevices, swapDevices } from '../disks/sysfs.js';
import { usedBytes } from '../disks/usage.js';
import type { BlkidInfo } from '../parse/blkid.js';
import { lvReportFields, parseLvReport, parsePvReport, parseVgReport, pvReportFields, vgReportFields, type LvReport, type PvReport } from '../parse/lvm-report.js';

const lvmEnv = { LVM_SUPPRESS_FD_WARNINGS: '1' };
const report = ['--reportformat', 'json', '--units', 'b', '--nosuffix'];

export interface LvFacts extends LvReport {
  /** blkid -p of the active LV; undefined when it is not active (nothing to probe). */
  fs: BlkidInfo | undefined;
  usedBytes: number | undefined;
  mountpoints: string[];
  swapActive: boolean;
}

export interface VgFacts {
  name: string;
  uuid: string;
  /** Every PV of the VG on this machine, on this disk or not. */
  pvs: PvReport[];
  lvs: LvFacts[];
  /** Unallocated space (vg_free) and the extent size: what an LVM snapshot can be given. */
  freeBytes: number;
  extentBytes: number;
  /** Activated by this job (it had no active LV): deactivated when the job ends. */
  activatedByJob?: boolean;
  /** Why LVM could not activate it (no device-mapper, a missing PV): its LVs cannot be read one by one. */
  activationFailed?: string;
}

/** Every PV LVM sees on this machine (all disks), with its VG. */
export async function allPvs(runner: Runner): Promise<PvReport[]> {
  try {
    return parsePvReport((await runner.run('pvs', [...report, '-o', pvReportFields.join(',')], { env: lvmEnv })).stdout);
  } catch {
    return []; // no LVM tools, or nothing LVM can read: no PVs
  }
}

/** The VGs with a PV on one of this disk's partitions, each LV probed where active. */
export async function probeVgs(runner: Runner, disk: Disk): Promise<VgFacts[]> {
  const onDisk = new Set(disk.partitions.filter((p) => p.fs.type === 'LVM2_member').map((p) => p.device));
  if (onDisk.size === 0) return [];
  const pvs = await allPvs(runner);
  const names = [...new Set(pvs.filter((p) => onDisk.has(p.device) && p.vgName).map((p) => p.vgName!))].sort();
  if (names.length === 0) return [];
  const lvs = parseLvReport((await runner.run('lvs', [...report, '-a', '-o', lvReportFields.join(','), ...names], { env: lvmEnv })).stdout);
  const vgReports = parseVgReport((await runner.run('vgs', [...report, '-o', vgReportFields.join(','), ...names], { env: lvmEnv })).stdout);
  const mounts = await mountedDevices();
  const swaps = new Set<string>();
  for (const s of await swapDevices()) swaps.add(await majMinOf(s).catch(() => s));
  const out: VgFacts[] = [];
  for (const name of names) {
    const facts: LvFacts[] = [];
    for (const lv of lvs.filter((l) => l.vgName === name)) {
      const majMin = lv.active ? await majMinOf(lv.dmPath).catch(() => undefined) : undefined;
      const fs = majMin ? await probeBlkid(runner, lv.dmPath).catch(() => undefined) : undefined;
      const mountpoints = majMin ? (mounts.get(majMin) ?? []) : [];
      facts.push({ ...lv, fs, mountpoints, swapActive: majMin !== undefined && swaps.has(majMin), usedBytes: fs ? await usedBytes(runner, lv.dmPath, fs.type, mountpoints) : undefined });
    }
    const vgr = vgReports.find((v) => v.name === name);
    out.push({ name, uuid: pvs.find((p) => p.vgName === name)?.vgUuid ?? '', pvs: pvs.filter((p) => p.vgName === name), lvs: facts, freeBytes: vgr?.freeBytes ?? 0, extentBytes: vgr?.extentBytes ?? 4 * 1024 * 1024 });
  }
  return out;
}

/** The VGs with an active LV on this disk's PVs, from its layout tree (lsblk shows active LVs under their PV). */
export function activeVgsOn(disk: Disk): string[] {
  const out = new Set<string>();
  for (const p of disk.layout.table?.partitions ?? []) if (p.content.kind === 'lvm-pv' && p.content.vgName && (p.content.lvs.some((l) => l.node) || p.content.children.length > 0)) out.add(p.content.vgName);
  return [...out];
}

/**
 * Activates the VGs that have no active LV yet: their names (for deactivateVgs after the job), and those LVM could
 * not activate with the last line it said.
 */
export async function activateVgs(runner: Runner, vgs: readonly VgFacts[]): Promise<{ activated: string[]; failed: Map<string, string> }> {
  const activated: string[] = [];
  const failed = new Map<string, string>();
  for (const vg of vgs) {
    if (vg.lvs.some((l) => l.active)) continue;
    try {
      await runner.run('vgchange', ['--activate', 'y', vg.name], { env: lvmEnv });
      activated.push(vg.name);
    } catch (e) {
      const said = (e as { stderrTail?: string }).stderrTail?.trim().split('\n').filter(Boolean).at(-1) ?? (e as Error).message;
      failed.set(vg.name, said);
      // A partial activation is undone: the job leaves the VG as it found it.
      await runner.run('vgchange', ['--activate', 'n', vg.name], { env: lvmEnv }).catch(() => undefined);
    }
  }
  return { activated, failed };
}

export async function deactivateVgs(runner: Runner, names: readonly string[]): Promise<void> {
  for (const name of names) await runner.run('vgchange', ['--activate', 'n', name], { env: lvmEnv, hint: `LVM could not deactivate the volume group ${name}` });
}

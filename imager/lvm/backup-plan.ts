// Plans what a backup does with each VG on the source disk (pure): each LV imaged on its own in Clonezilla's LVM layout, or the PV copied raw, and why.
import type { Codec } from '../codec/codecs.js';
import type { Disk } from '../disks/probe.js';
import type { FsHandler } from '../fs/partclone.js';
import { handlerForType } from '../fs/registry.js';
import { names } from '../image/layout.js';
import { refusal, type Refusal } from '../plan/refusals.js';
import { lvmNames } from './files.js';
import type { LvFacts, VgFacts } from './probe.js';
import { leftoverSnapshots, sizeSnapshots } from './snapshot.js';

export interface PlannedLv {
  vg: string;
  name: string;
  /** /dev/<vg>/<lv>, as Clonezilla's lists name it. */
  path: string;
  /** The node that is read: /dev/mapper/<vg>-<lv>. */
  device: string;
  sizeBytes: number;
  /** partclone (used blocks), raw (partclone.dd: a filesystem partclone does not know), swap (UUID and label only). */
  action: 'partclone' | 'raw' | 'swap';
  handler: FsHandler | undefined;
  /** Bytes partclone reads (used bytes; the whole LV when raw or not measured). */
  weight: number;
  /** Base name of its image file (vg0-root.ext4-ptcl-img.zst), or its swap info file. */
  file: string;
  facts: LvFacts;
  /** A mounted LV read from an LVM snapshot of this size (lvm/snapshot.ts); absent: the LV itself is read. */
  read?: { method: 'snapshot'; sizeBytes: number };
}

export interface PlannedVg {
  name: string;
  uuid: string;
  /** lvm: the LVs one by one (Clonezilla's layout); raw: the PV partitions copied whole, for `reason`. */
  mode: 'lvm' | 'raw';
  reason?: string;
  /** The PVs on this disk: partition number, device, PV UUID. */
  pvs: Array<{ number: number; device: string; uuid: string }>;
  lvs: PlannedLv[];
  /** Not active when the plan was made (a dry run): a real backup activates it first. */
  activate: boolean;
  /** Activated by this job: deactivated when it ends. */
  activatedByJob: boolean;
  /** Snapshots of an earlier, dead run (tagged lifeboat-snapshot): a real backup removes them before it plans. */
  leftovers: string[];
}

export interface LvmBackupPlan {
  vgs: PlannedVg[];
  /** Partitions whose content is saved through their VG's LVs (no image file of their own). */
  pvPartitions: number[];
  refusals: Refusal[];
}

/** Why a VG cannot be imaged LV by LV, or undefined when it can. */
function rawReason(vg: VgFacts, disk: Disk): string | undefined {
  const elsewhere = vg.pvs.filter((p) => !disk.partitions.some((q) => q.device === p.device)).map((p) => p.device);
  if (elsewhere.length > 0) return `VG ${vg.name} also has PVs on ${elsewhere.join(', ')}: its LVs cannot be imaged from ${disk.device} alone`;
  if (vg.activationFailed) return `LVM could not activate VG ${vg.name} (${vg.activationFailed}): its LVs cannot be read one by one`;
  const special = vg.lvs.filter((l) => l.role !== 'plain');
  if (special.length > 0) {
    const what = special.map((l) => `${l.name} (${l.role === 'other' ? l.segtype : l.role})`).join(', ');
    return `VG ${vg.name} has ${what}: thin pools, snapshots and other LV kinds are not imaged LV by LV`;
  }
  return undefined;
}

function planLv(vg: VgFacts, lv: LvFacts, codec: Codec): PlannedLv {
  const base = lvmNames.lvImageBase(vg.name, lv.name);
  const common = { vg: vg.name, name: lv.name, path: `/dev/${vg.name}/${lv.name}`, device: lv.dmPath, sizeBytes: lv.sizeBytes, facts: lv };
  if (lv.fs?.type === 'swap') return { ...common, action: 'swap', handler: undefined, weight: 0, file: lvmNames.lvSwapInfo(vg.name, lv.name) };
  const handler = handlerForType(lv.fs?.type);
  const raw = handler.fsName === 'dd';
  const weight = raw ? lv.sizeBytes : (lv.usedBytes ?? lv.sizeBytes);
  return { ...common, action: raw ? 'raw' : 'partclone', handler, weight, file: names.partImage(base, handler.fsName, codec.suffix) };
}

export function planLvmBackup(disk: Disk, allVgs: readonly VgFacts[], codec: Codec, snapshots = false): LvmBackupPlan {
  const refusals: Refusal[] = [];
  const planned: PlannedVg[] = [];
  const pvPartitions: number[] = [];
  for (const found of allVgs) {
    // A dead run's snapshots are no part of the VG's content: planned as gone, their space as free again.
    const gone = leftoverSnapshots(found);
    // Their origins are plain LVs again once they are gone.
    const kept = found.lvs.filter((l) => !gone.includes(l));
    const lvsAfter = kept.map((l) => (l.role === 'origin' && !kept.some((o) => o.role === 'snapshot' && o.origin === l.name) ? { ...l, role: 'plain' as const } : l));
    const vg: VgFacts = gone.length === 0 ? found : { ...found, lvs: lvsAfter, freeBytes: found.freeBytes + gone.reduce((n, l) => n + l.sizeBytes, 0) };
    const leftovers = gone.map((l) => `${vg.name}/${l.name}`);
    const pvs = disk.partitions.flatMap((p) => {
      const pv = vg.pvs.find((x) => x.device === p.device);
      return pv ? [{ number: p.number, device: p.device, uuid: pv.pvUuid }] : [];
    });
    const reason = rawReason(vg, disk);
    const activate = !vg.lvs.some((l) => l.active);
    if (reason) {
      planned.push({ name: vg.name, uuid: vg.uuid, mode: 'raw', reason, pvs, lvs: [], activate: false, activatedByJob: false, leftovers });
      continue;
    }
    const lvs = vg.lvs.map((lv) => planLv(vg, lv, codec));
    const mounted = lvs.filter((lv) => lv.facts.mountpoints.length > 0 && lv.action !== 'swap');
    const sizing = snapshots ? sizeSnapshots(vg, mounted.map((l) => l.facts)) : undefined;
    if (sizing && !sizing.ok) refusals.push(refusal('mounted', sizing.message, sizing.hint));
    else
      for (const lv of mounted) {
        if (sizing) lv.read = { method: 'snapshot', sizeBytes: sizing.sizes.get(lv.name)! };
        else refusals.push(refusal('mounted', `${lv.facts.path || lv.facts.dmPath} is mounted on ${lv.facts.mountpoints.join(', ')}; unmount it first (an image of a mounted filesystem is not consistent)`, 'or add --snapshot to read it from an LVM snapshot, or image it from the Lifeboat stick'));
      }
    for (const lv of vg.lvs) if (lv.swapActive) refusals.push(refusal('swap-active', `${lv.path || lv.dmPath} is active swap; run swapoff ${lv.path || lv.dmPath} first`));
    pvPartitions.push(...pvs.map((p) => p.number));
    planned.push({ name: vg.name, uuid: vg.uuid, mode: 'lvm', pvs, lvs, activate, activatedByJob: vg.activatedByJob === true, leftovers });
  }
  return { vgs: planned, pvPartitions, refusals };
}

/** The plan's lines for the VGs: each LV and what is done with it. */
export function describeLvmBackup(plan: LvmBackupPlan): string[] {
  const lines: string[] = [];
  for (const vg of plan.vgs) {
    const pvs = vg.pvs.map((p) => `${p.device} (PV ${p.uuid})`).join(', ');
    for (const l of vg.leftovers) lines.push(`  ${l}: a snapshot an earlier backup left behind (tagged lifeboat-snapshot): removed first`);
    if (vg.mode === 'raw') {
      lines.push(`  VG ${vg.name} on ${pvs}: the PV copied raw, whole (partclone.dd): ${vg.reason}`);
      continue;
    }
    lines.push(`  VG ${vg.name} on ${pvs}: its metadata (vgcfgbackup) and PV UUIDs recorded, each LV imaged on its own${vg.activate ? '; not active: the backup activates it' : ''}${vg.activate || vg.activatedByJob ? ' (and deactivates it after)' : ''}`);
    for (const lv of vg.lvs) {
      const what = !lv.facts.active
        ? `${lv.sizeBytes} bytes, not active: its filesystem is probed once the backup activates it`
        : lv.action === 'partclone'
          ? `${lv.handler!.fsName} with partclone, ${lv.weight} bytes used of ${lv.sizeBytes}`
          : lv.action === 'raw'
            ? `raw copy (partclone.dd), ${lv.weight} bytes${lv.facts.fs?.type ? ` (${lv.facts.fs.type})` : ''}`
            : 'swap: UUID and label recorded';
      const snap = lv.read ? `; mounted on ${lv.facts.mountpoints.join(', ')}: read from an LVM snapshot of ${lv.read.sizeBytes} bytes (${vg.name}/${lv.name}_lifeboat), removed once read` : '';
      lines.push(`    LV ${vg.name}/${lv.name}: ${what}${snap}`);
    }
  }
  return lines;
}

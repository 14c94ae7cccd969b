// Plans the LVM part of a restore (pure): each PV made again with its UUID, each VG's metadata restored and activated, its LVs' data, then deactivated; refuses a VG name already on the machine.
import type { Disk } from '../disks/probe.js';
import { partitionPath } from '../disks/names.js';
import type { ImagePartition } from '../image/open.js';
import type { PvReport } from '../parse/lvm-report.js';
import { refusal, type Refusal } from '../plan/refusals.js';
import type { ImageLv, ImageVg } from './image.js';

export type LvmRestoreStep =
  | { kind: 'lvm-pv'; text: string; vg: string; target: string; uuid: string; conf: string }
  | { kind: 'lvm-vg'; text: string; vg: string; conf: string }
  | { kind: 'lvm-deactivate'; text: string; vg: string };

/** An LV as the restore pipeline's partition steps take it: its files, handler, name and size of image. */
export function lvAsPartition(lv: ImageLv): ImagePartition {
  return {
    number: 0,
    name: `${lv.vg}/${lv.name}`,
    action: lv.action,
    handler: lv.handler,
    files: lv.files,
    ...(lv.swap ? { swap: lv.swap } : {}),
    start: 0,
    fsType: lv.fsType,
    fsLabel: lv.fsLabel,
    fsUuid: lv.fsUuid,
    imageBytes: lv.imageBytes,
  };
}

export type LvDataStep =
  | { kind: 'partition'; text: string; part: ImagePartition; target: string }
  | { kind: 'swap'; text: string; part: ImagePartition; target: string };

export interface LvmRestorePlan {
  /** In order: the PVs and VGs, then the LVs' data, then the VGs deactivated. */
  setup: LvmRestoreStep[];
  data: LvDataStep[];
  finish: LvmRestoreStep[];
  refusals: Refusal[];
}

export interface LvmRestoreFacts {
  vgs: readonly ImageVg[];
  target: Disk;
  /** Every PV LVM sees on this machine (lvm/probe.ts allPvs). */
  machinePvs: readonly PvReport[];
  /** VGs with an active LV on the target's own PVs. */
  activeOnTarget: readonly string[];
}

export function planLvmRestore(facts: LvmRestoreFacts): LvmRestorePlan {
  const { vgs, target } = facts;
  const refusals: Refusal[] = [];
  const setup: LvmRestoreStep[] = [];
  const data: LvDataStep[] = [];
  const finish: LvmRestoreStep[] = [];
  // The target itself or one of its partitions (/dev/sdb, /dev/sdb2, /dev/nvme0n1p2): its own VGs are overwritten, not clashed with.
  const onTarget = (device: string) => device === target.device || target.partitions.some((p) => p.device === device) || (/\d$/.test(target.device) ? /^p\d+$/ : /^\d+$/).test(device.startsWith(target.device) ? device.slice(target.device.length) : '-');
  for (const vg of vgs) {
    // A second VG of the same name, or a second PV with the same UUID, would make LVM refuse both (or pick one).
    const clash = facts.machinePvs.filter((p) => !onTarget(p.device) && (p.vgName === vg.name || vg.pvs.some((x) => x.uuid === p.pvUuid)));
    if (clash.length > 0)
      refusals.push(
        refusal(
          'vg-present',
          `a volume group named ${vg.name} (or one of its PVs) is already present on this machine, on ${clash.map((p) => p.device).join(', ')}; restoring the image's ${vg.name} beside it would clash`,
          `restore where no VG ${vg.name} is attached, or rename that one first (vgrename)`,
        ),
      );
    if (facts.activeOnTarget.includes(vg.name)) refusals.push(refusal('in-use', `the volume group ${vg.name} is active on ${target.device}; deactivate it first: vgchange -an ${vg.name}`));
    for (const pv of vg.pvs) {
      const dev = partitionPath(target.device, pv.number);
      setup.push({ kind: 'lvm-pv', text: `make the LVM PV ${pv.uuid} of ${vg.name} on ${dev} (pvcreate --uuid --restorefile)`, vg: vg.name, target: dev, uuid: pv.uuid, conf: vg.conf });
    }
    setup.push({ kind: 'lvm-vg', text: `restore the metadata of the volume group ${vg.name} (vgcfgrestore) and activate it`, vg: vg.name, conf: vg.conf });
    for (const lv of vg.lvs) {
      const part = lvAsPartition(lv);
      if (lv.action === 'swap') data.push({ kind: 'swap', text: `make swap on ${lv.path} with UUID ${lv.swap?.uuid ?? '(new)'} and label ${lv.swap?.label ?? '(none)'}`, part, target: lv.dmPath });
      else data.push({ kind: 'partition', text: `restore ${vg.name}/${lv.name} (${lv.handler!.fsName}, ${lv.imageBytes} bytes of image) to ${lv.path}`, part, target: lv.dmPath });
    }
    finish.push({ kind: 'lvm-deactivate', text: `deactivate the volume group ${vg.name}`, vg: vg.name });
  }
  return { setup, data, finish, refusals };
}

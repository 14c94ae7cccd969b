// lvm/restore-plan.ts (pure), through planRestore: PVs with their UUIDs, the VG's metadata, each LV's data, deactivation; a VG name already on the machine refused.
import test from 'ava';
import { codecs } from '../../../imager/codec/codecs.js';
import { handlerForType } from '../../../imager/fs/registry.js';
import type { Image } from '../../../imager/image/open.js';
import { layoutFromTable } from '../../../imager/layout/build.js';
import type { ImageVg } from '../../../imager/lvm/image.js';
import type { PvReport } from '../../../imager/parse/lvm-report.js';
import { describeRestorePlan, planRestore } from '../../../imager/restore/plan.js';
import { fakeDisk } from '../../helpers/fake-disk.js';

const MiB = 1024 * 1024;
const vg0: ImageVg = {
  name: 'vg0',
  conf: '/store/img/lvm_vg0.conf',
  pvs: [{ number: 2, device: '/dev/sda2', uuid: 'pv-uuid' }],
  lvs: [
    { vg: 'vg0', name: 'root', path: '/dev/vg0/root', dmPath: '/dev/mapper/vg0-root', action: 'partclone', handler: handlerForType('ext4'), files: ['/store/img/vg0-root.ext4-ptcl-img.zst'], fsType: 'ext4', fsUuid: 'r', fsLabel: 'root', imageBytes: 30 },
    { vg: 'vg0', name: 'swap', path: '/dev/vg0/swap', dmPath: '/dev/mapper/vg0-swap', action: 'swap', handler: undefined, files: [], swap: { uuid: 's-uuid', label: 'swap0' }, fsType: 'swap', fsUuid: 's-uuid', fsLabel: 'swap0', imageBytes: 0 },
  ],
};

function image(): Image {
  const table = {
    type: 'gpt' as const, id: 'X', sectorSize: 512, firstLba: undefined, lastLba: undefined,
    partitions: [
      { number: 1, node: '/dev/sda1', start: 2048, size: 204800, type: 'L', uuid: undefined, name: undefined, attrs: undefined, bootable: false },
      { number: 2, node: '/dev/sda2', start: 206848, size: 409600, type: 'E6D6D379-F507-44C2-A23C-238F2A3DF928', uuid: undefined, name: undefined, attrs: undefined, bootable: false },
    ],
  };
  return {
    dir: '/store/img', origin: 'lifeboat', manifest: undefined, diskName: 'sda', table, tableDump: '', layout: layoutFromTable(table, 400 * MiB), codec: codecs.zstd,
    partitions: [
      { number: 1, name: 'sda1', action: 'partclone', handler: handlerForType('ext4'), files: ['/store/img/sda1.ext4-ptcl-img.zst'], fsType: 'ext4', fsLabel: undefined, fsUuid: undefined, imageBytes: 10, start: 2048 },
      { number: 2, name: 'sda2', action: 'lvm-pv', handler: undefined, files: [], fsType: undefined, fsLabel: undefined, fsUuid: undefined, imageBytes: 0, start: 206848 },
    ],
    requiredBytes: 400 * MiB, files: { mbr: undefined, hiddenDataAfterMbr: undefined }, bootPartitions: [], lvm: [vg0],
  };
}

const target = fakeDisk({ tableType: 'none' }, []);
const pv = (device: string, vgName: string, pvUuid = 'other'): PvReport => ({ device, pvUuid, vgName, vgUuid: 'x' });
const plan = (machinePvs: PvReport[], activeOnTarget: string[] = []) => planRestore({ image: image(), target, imageDisk: undefined, lvm: { machinePvs, activeOnTarget } }, { bootOnly: false, grow: false });

test('the steps: table, partitions, the PV with its UUID, the VG metadata and activation, each LV, deactivation', (t) => {
  const p = plan([]);
  t.deepEqual(p.refusals, []);
  t.deepEqual(p.steps.map((s) => s.kind), ['table', 'partition', 'lvm-pv', 'lvm-vg', 'partition', 'swap', 'lvm-deactivate']);
  t.like(p.steps[2], { kind: 'lvm-pv', target: '/dev/sdb2', uuid: 'pv-uuid', conf: '/store/img/lvm_vg0.conf' });
  t.like(p.steps[4], { kind: 'partition', target: '/dev/mapper/vg0-root' });
  t.like(p.steps[5], { kind: 'swap', target: '/dev/mapper/vg0-swap' });
  const words = describeRestorePlan(p).join('\n');
  t.regex(words, /make the LVM PV pv-uuid of vg0 on \/dev\/sdb2 \(pvcreate --uuid --restorefile\)/);
  t.regex(words, /restore the metadata of the volume group vg0 \(vgcfgrestore\) and activate it/);
  t.regex(words, /restore vg0\/root \(ext4, 30 bytes of image\) to \/dev\/vg0\/root/);
  t.regex(words, /make swap on \/dev\/vg0\/swap with UUID s-uuid and label swap0/);
});

test('a VG of the same name on another disk of the machine is refused, named with its PV', (t) => {
  const p = plan([pv('/dev/sda2', 'vg0')]);
  t.deepEqual(p.refusals.map((r) => r.code), ['vg-present']);
  t.is(p.refusals[0]!.message, "a volume group named vg0 (or one of its PVs) is already present on this machine, on /dev/sda2; restoring the image's vg0 beside it would clash");
});

test("a PV with one of the image's PV UUIDs elsewhere is refused too; other VGs elsewhere and the target's own vg0 are not", (t) => {
  t.deepEqual(plan([pv('/dev/sdc1', 'renamed', 'pv-uuid')]).refusals.map((r) => r.code), ['vg-present']);
  t.deepEqual(plan([pv('/dev/sdc1', 'vg9'), pv('/dev/sdb2', 'vg0', 'pv-uuid')]).refusals, []);
});

test('the VG active on the target itself is refused until deactivated', (t) => {
  const p = plan([pv('/dev/sdb2', 'vg0', 'pv-uuid')], ['vg0']);
  t.deepEqual(p.refusals.map((r) => r.code), ['in-use']);
  t.regex(p.refusals[0]!.message, /vg0 is active on \/dev\/sdb; deactivate it first: vgchange -an vg0/);
});

test('boot-only restores no LVM at all', (t) => {
  const p = planRestore({ image: image(), target, imageDisk: undefined, lvm: { machinePvs: [pv('/dev/sda2', 'vg0')], activeOnTarget: [] } }, { bootOnly: true, grow: false });
  t.false(p.steps.some((s) => s.kind.startsWith('lvm')));
  t.false(p.refusals.some((r) => r.code === 'vg-present'));
});

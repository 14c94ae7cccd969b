// lvm/backup-plan.ts (pure): which VGs are imaged LV by LV and which PVs are copied raw, with the plan's words for each LV.
import test from 'ava';
import { codecs } from '../../../imager/codec/codecs.js';
import { planBackup, describeBackupPlan } from '../../../imager/backup/plan.js';
import type { BlkidInfo } from '../../../imager/parse/blkid.js';
import type { LvFacts, VgFacts } from '../../../imager/lvm/probe.js';
import { fakeDisk } from '../../helpers/fake-disk.js';

const MiB = 1024 * 1024;
const none: BlkidInfo = { type: undefined, uuid: undefined, label: undefined, version: undefined, usage: undefined, ptType: undefined, raw: {} };
const fs = (type: string, label: string, uuid = `${label}-uuid`): BlkidInfo => ({ ...none, type, label, uuid, usage: type === 'swap' ? 'other' : 'filesystem' });
const pvFs: BlkidInfo = { ...none, type: 'LVM2_member', usage: 'raid' };

function lv(name: string, over: Partial<LvFacts> = {}): LvFacts {
  return {
    vgName: 'vg0', name, uuid: `${name}-lvuuid`, sizeBytes: 100 * MiB, attr: '-wi-a-----', segtype: 'linear', role: 'plain',
    dmPath: `/dev/mapper/vg0-${name}`, path: `/dev/vg0/${name}`, origin: undefined, pool: undefined, active: true,
    fs: undefined, usedBytes: undefined, mountpoints: [], swapActive: false, tags: [], snapPercent: undefined, ...over,
  };
}

const table = { type: 'gpt' as const, id: 'X', sectorSize: 512, firstLba: 34, lastLba: 2047966, partitions: [] };
const disk = fakeDisk({ tableType: 'gpt', table }, [{ fs: fs('vfat', 'ESP') }, { fs: fs('ext4', 'boot') }, { fs: pvFs }]);
const vg0 = (lvs: LvFacts[], over: Partial<VgFacts> = {}): VgFacts => ({
  name: 'vg0', uuid: 'vg0-uuid', pvs: [{ device: '/dev/sdb3', pvUuid: 'pv-uuid', vgName: 'vg0', vgUuid: 'vg0-uuid' }], lvs, freeBytes: 0, extentBytes: 4 * MiB, ...over,
});
const plan = (vgs: VgFacts[]) =>
  planBackup({ disk, imageDir: '/store/img', imageDirExists: false, destinationDisk: undefined, freeBytes: 10_000 * MiB, lvm: vgs }, { codec: codecs.zstd, level: undefined, splitBytes: undefined });

const active = [lv('home', { fs: fs('xfs', 'home'), usedBytes: 20 * MiB }), lv('root', { fs: fs('ext4', 'root'), usedBytes: 30 * MiB }), lv('swap', { fs: fs('swap', 'swap0'), sizeBytes: 32 * MiB })];

test('a VG whose PVs are all on the disk: each LV imaged on its own, the PV partition has no image of its own', (t) => {
  const p = plan([vg0(active)]);
  t.deepEqual(p.refusals, []);
  t.deepEqual(p.partitions.map((x) => x.action), ['partclone', 'partclone', 'lvm-pv']);
  t.is(p.partitions[2]!.file, undefined);
  t.deepEqual(p.lvm.vgs[0]!.lvs.map((l) => [l.name, l.action, l.file, l.weight]), [
    ['home', 'partclone', 'vg0-home.xfs-ptcl-img.zst', 20 * MiB],
    ['root', 'partclone', 'vg0-root.ext4-ptcl-img.zst', 30 * MiB],
    ['swap', 'swap', 'swappt-vg0-swap.info', 0],
  ]);
  t.deepEqual(p.lvm.vgs[0]!.pvs, [{ number: 3, device: '/dev/sdb3', uuid: 'pv-uuid' }]);
  // the LVs' used bytes, the two partitions whole (not measured here), and the small files
  t.is(p.requiredBytes, 50 * MiB + 2 * 1024 * 512 + 2 * MiB);
  const words = describeBackupPlan(p).join('\n');
  t.regex(words, /sdb3: LVM PV: saved through its VG's LVs/);
  t.regex(words, /VG vg0 on \/dev\/sdb3 \(PV pv-uuid\): its metadata \(vgcfgbackup\) and PV UUIDs recorded, each LV imaged on its own\n/);
  t.regex(words, /LV vg0\/root: ext4 with partclone, 31457280 bytes used of 104857600/);
  t.regex(words, /LV vg0\/swap: swap: UUID and label recorded/);
});

test('an inactive VG (a dry run): the LVs are listed, the backup will activate it and deactivate it after', (t) => {
  const words = describeBackupPlan(plan([vg0([lv('root', { active: false })])])).join('\n');
  t.regex(words, /not active: the backup activates it \(and deactivates it after\)/);
  t.regex(words, /LV vg0\/root: 104857600 bytes, not active: its filesystem is probed once the backup activates it/);
});

test('an LV partclone does not know is copied whole with partclone.dd', (t) => {
  const p = plan([vg0([lv('data', { fs: none })])]);
  t.like(p.lvm.vgs[0]!.lvs[0], { action: 'raw', file: 'vg0-data.dd-ptcl-img.zst', weight: 100 * MiB });
});

test('thin pools and snapshots: the PV copied raw, whole, and the plan says why', (t) => {
  const p = plan([vg0([lv('pool', { role: 'thin-pool' }), lv('root', { role: 'origin' }), lv('snap', { role: 'snapshot', origin: 'root' })])]);
  t.deepEqual(p.partitions.map((x) => x.action), ['partclone', 'partclone', 'raw']);
  t.like(p.lvm.vgs[0], { mode: 'raw', lvs: [] });
  t.regex(describeBackupPlan(p).join('\n'), /VG vg0 on \/dev\/sdb3 \(PV pv-uuid\): the PV copied raw, whole \(partclone\.dd\): VG vg0 has pool \(thin-pool\), root \(origin\), snap \(snapshot\): thin pools, snapshots and other LV kinds are not imaged LV by LV/);
});

test('a VG that spans another disk: its PV here is copied raw', (t) => {
  const p = plan([vg0(active, { pvs: [{ device: '/dev/sdb3', pvUuid: 'pv-uuid', vgName: 'vg0', vgUuid: 'vg0-uuid' }, { device: '/dev/sdc1', pvUuid: 'pv2', vgName: 'vg0', vgUuid: 'vg0-uuid' }] })]);
  t.is(p.partitions[2]!.action, 'raw');
  t.regex(p.lvm.vgs[0]!.reason!, /VG vg0 also has PVs on \/dev\/sdc1: its LVs cannot be imaged from \/dev\/sdb alone/);
});

test('a mounted LV and an LV in use as swap are refused', (t) => {
  const p = plan([vg0([lv('root', { fs: fs('ext4', 'root'), mountpoints: ['/mnt/r'] }), lv('swap', { fs: fs('swap', 's'), swapActive: true })])]);
  t.deepEqual(p.refusals.map((r) => r.code), ['mounted', 'swap-active']);
  t.regex(p.refusals[0]!.message, /^\/dev\/vg0\/root is mounted on \/mnt\/r; unmount it first/);
});

const withRunning = (vgs: VgFacts[], snapshots: boolean) =>
  planBackup(
    { disk, imageDir: '/store/img', imageDirExists: false, destinationDisk: undefined, freeBytes: 10_000 * MiB, lvm: vgs },
    { codec: codecs.zstd, level: undefined, splitBytes: undefined, running: { snapshots, freeze: false, freezeLimitSeconds: 10, hookTimeoutSeconds: 60, databases: [] } },
  );
const mountedRoot = lv('root', { fs: fs('ext4', 'root'), usedBytes: 30 * MiB, mountpoints: ['/'] });
const mountedHome = lv('home', { fs: fs('xfs', 'home'), usedBytes: 20 * MiB, sizeBytes: 400 * MiB, mountpoints: ['/home'] });

test('--snapshot: mounted LVs share the VG\'s free extents (whole extents, at most the LV), said in the plan', (t) => {
  const p = withRunning([vg0([mountedHome, mountedRoot], { freeBytes: 250 * MiB })], true);
  t.deepEqual(p.refusals, []);
  // 125 MiB each, in 4 MiB extents: 124 MiB; root is only 100 MiB, so its snapshot is 100 MiB.
  t.deepEqual(p.lvm.vgs[0]!.lvs.map((l) => [l.name, l.read?.sizeBytes]), [['home', 124 * MiB], ['root', 100 * MiB]]);
  t.regex(describeBackupPlan(p).join('\n'), /LV vg0\/root: ext4 with partclone, \d+ bytes used of \d+; mounted on \/: read from an LVM snapshot of 104857600 bytes \(vg0\/root_lifeboat\), removed once read/);
});

test('--snapshot without room in the VG is refused in one line naming the VG, its free bytes and the need', (t) => {
  const p = withRunning([vg0([mountedHome, mountedRoot], { freeBytes: 8 * MiB })], true);
  t.deepEqual(p.refusals.map((r) => r.code), ['mounted']);
  t.regex(p.refusals[0]!.message, /^VG vg0 has 8388608 bytes free: an LVM snapshot of vg0\/home \(mounted on \/home\) needs at least 20971520 bytes of them, beside 1 other snapshot/);
  t.regex(p.refusals[0]!.hint!, /lvreduce, or vgextend/);
  t.true(p.lvm.vgs[0]!.lvs.every((l) => l.read === undefined));
  // Without --snapshot, each mounted LV is its own refusal, with the way out.
  const plain = withRunning([vg0([mountedHome, mountedRoot], { freeBytes: 250 * MiB })], false);
  t.is(plain.refusals.length, 2);
  t.regex(plain.refusals[0]!.hint!, /--snapshot/);
});

test('a snapshot an earlier run left (tagged lifeboat-snapshot) is planned as removed, its space free again; an untagged one keeps the VG raw', (t) => {
  const leftover = lv('root_lifeboat', { role: 'snapshot', attr: 'swi-a-s---', tags: ['lifeboat-snapshot'], sizeBytes: 40 * MiB, origin: 'root' });
  const origin = { ...mountedRoot, role: 'origin' as const, attr: 'owi-aos---' };
  const p = withRunning([vg0([origin, leftover], { freeBytes: 0 })], true);
  t.deepEqual(p.refusals, []);
  t.is(p.lvm.vgs[0]!.mode, 'lvm');
  t.deepEqual(p.lvm.vgs[0]!.leftovers, ['vg0/root_lifeboat']);
  t.deepEqual(p.lvm.vgs[0]!.lvs.map((l) => [l.name, l.read?.sizeBytes]), [['root', 40 * MiB]]);
  t.regex(describeBackupPlan(p).join('\n'), /vg0\/root_lifeboat: a snapshot an earlier backup left behind \(tagged lifeboat-snapshot\): removed first/);
  const theirs = withRunning([vg0([origin, { ...leftover, tags: [] }], { freeBytes: 0 })], true);
  t.is(theirs.lvm.vgs[0]!.mode, 'raw');
});

test('a VG LVM could not activate (no device-mapper): its PV copied raw, with what LVM said', (t) => {
  const p = plan([vg0(active, { activationFailed: 'Failure to communicate with kernel device-mapper driver.' })]);
  t.is(p.partitions[2]!.action, 'raw');
  t.regex(describeBackupPlan(p).join('\n'), /the PV copied raw, whole \(partclone\.dd\): LVM could not activate VG vg0 \(Failure to communicate with kernel device-mapper driver\.\): its LVs cannot be read one by one/);
});

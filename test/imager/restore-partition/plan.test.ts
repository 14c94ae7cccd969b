// The one-partition restore plan is pure: an image, a fake disk and its partition in, steps and refusals out.
import test from 'ava';
import { codecs } from '../../../imager/codec/codecs.js';
import { handlerForType } from '../../../imager/fs/registry.js';
import type { Image, ImagePartition } from '../../../imager/image/open.js';
import { layoutFromTable } from '../../../imager/layout/build.js';
import { describePartitionRestorePlan, planPartitionRestore, type PartitionRestoreFacts } from '../../../imager/restore-partition/plan.js';
import { parsePartitionChoice } from '../../../imager/restore-partition/prepare.js';
import { fakeDisk } from '../../helpers/fake-disk.js';

const MiB = 1024 * 1024;

/** An image whose partition 1 (200 MiB) holds an ext4 of fsBytes, or a raw copy. */
function facts(targetMiB: number, over: Partial<PartitionRestoreFacts> = {}, raw = false): PartitionRestoreFacts {
  const table = { type: 'gpt' as const, id: 'X', sectorSize: 512, firstLba: undefined, lastLba: undefined, partitions: [{ number: 1, node: '/dev/sda1', start: 2048, size: 409600, type: 'L', uuid: undefined, name: undefined, attrs: undefined, bootable: false }] };
  const part: ImagePartition = { number: 1, name: 'sda1', action: raw ? 'raw' : 'partclone', handler: handlerForType(raw ? undefined : 'ext4'), files: ['/i/sda1.ext4-ptcl-img.zst'], fsType: raw ? undefined : 'ext4', fsLabel: undefined, fsUuid: undefined, imageBytes: 5, start: 2048 };
  const image: Image = { dir: '/i', origin: 'lifeboat', manifest: undefined, diskName: 'sda', table, tableDump: '', layout: layoutFromTable(table, 300 * MiB), codec: codecs.zstd, partitions: [part], requiredBytes: 300 * MiB, files: { mbr: undefined, hiddenDataAfterMbr: undefined }, bootPartitions: [], lvm: [] };
  const disk = fakeDisk({}, [{ sizeBytes: 10 * MiB }, { sizeBytes: targetMiB * MiB }]);
  return { image, source: part, disk, target: disk.partitions[1]!, fsBytes: 150 * MiB, usedBytes: 20 * MiB, imageOnTarget: false, ...over };
}

test('a larger partition: restore, then grow the filesystem from its own size to the partition', (t) => {
  const plan = planPartitionRestore(facts(300));
  t.deepEqual(plan.refusals, []);
  t.deepEqual(plan.steps.map((s) => s.kind), ['partition', 'grow']);
  t.like(plan.steps[0], { target: '/dev/sdb2' });
  t.regex(describePartitionRestorePlan(plan).join('\n'), /grow its ext4 filesystem to fill \/dev\/sdb2 \(157286400 -> 314572800 bytes\)/);
});

test('smaller than the source partition, big enough for the filesystem: restored and grown', (t) => {
  const plan = planPartitionRestore(facts(160));
  t.deepEqual(plan.refusals, []);
  t.is(plan.neededBytes, 150 * MiB);
  t.deepEqual(plan.steps.map((s) => s.kind), ['partition', 'grow']);
});

test('smaller than the filesystem: shrunk through a staging copy when the used data and margin fit, refused with the numbers when not', (t) => {
  const staging = [{ dir: '/store', where: 'store' as const, freeBytes: 1024 * MiB }];
  const plan = planPartitionRestore(facts(100, { staging }));
  t.deepEqual(plan.refusals, []);
  t.deepEqual(plan.steps.map((s) => s.kind), ['shrink']);
  // The staging file is as large as the image's partition; the filesystem shrinks to the target partition.
  t.like(plan.steps[0], { kind: 'shrink', target: '/dev/sdb2', fsType: 'ext4', oldBytes: 200 * MiB, newBytes: 100 * MiB, stagingDir: '/store' });
  // 20 MiB used + 64 MiB margin = 84 MiB: an 80 MiB partition is too small for the data.
  t.deepEqual(planPartitionRestore(facts(80, { staging })).refusals.map((r) => [r.code, r.message]), [['too-small-for-data', '/dev/sdb2 is too small for the data of sda1: it needs 88080384 bytes (84.0 MiB: 20.0 MiB used and the margin), /dev/sdb2 has 83886080 bytes (80.0 MiB)']]);
  // No place for the staging copy (2 x used + 64 MiB): refused before anything is written.
  t.deepEqual(planPartitionRestore(facts(100, { staging: [{ ...staging[0]!, freeBytes: 50 * MiB }] })).refusals.map((r) => r.code), ['no-staging-space']);
  // Used bytes unknown: too small, and why.
  t.regex(planPartitionRestore(facts(100, { usedBytes: undefined })).refusals[0]!.message, /too small: 104857600 bytes, sda1 needs 157286400 bytes \(its used bytes are unknown\)/);
  // Without the filesystem's size from its header, the source partition's is what it needs.
  t.is(planPartitionRestore(facts(300, { fsBytes: undefined })).neededBytes, 200 * MiB);
});

test('a raw copy needs the whole source partition and is not grown', (t) => {
  t.deepEqual(planPartitionRestore(facts(190, {}, true)).refusals.map((r) => r.code), ['too-small']);
  t.deepEqual(planPartitionRestore(facts(300, {}, true)).steps.map((s) => s.kind), ['partition']);
});

test('refusals: the partition mounted, holds the image, live medium, read-only; another partition mounted is fine', (t) => {
  const f = facts(300);
  const mounted = { ...f, target: { ...f.target, mountpoints: ['/mnt'] }, imageOnTarget: true, disk: { ...f.disk, inUse: true, liveMedium: true, readOnly: true } };
  t.deepEqual(planPartitionRestore(mounted).refusals.map((r) => r.code), ['in-use', 'holds-image', 'live-medium', 'read-only']);
  const other = { ...f, disk: { ...f.disk, inUse: true, partitions: [{ ...f.disk.partitions[0]!, mountpoints: ['/boot'] }, f.target] } };
  t.deepEqual(planPartitionRestore(other).refusals, []);
});

test('--partition N or N:M', (t) => {
  t.deepEqual(parsePartitionChoice('2'), { source: 2, target: 2 });
  t.deepEqual(parsePartitionChoice('2:5'), { source: 2, target: 5 });
  for (const bad of ['', '0', '2:', 'a:1', '1:0', '-1']) t.throws(() => parsePartitionChoice(bad), { message: /give a partition number/ }, bad);
});

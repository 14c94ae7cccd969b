// The clone plan is pure: two fake disks in, steps and refusals out.
import test from 'ava';
import type { Disk } from '../../../imager/disks/probe.js';
import { describeClonePlan, planClone } from '../../../imager/clone/plan.js';
import { layoutFromTable } from '../../../imager/layout/build.js';
import type { PartitionTable } from '../../../imager/parse/sfdisk.js';
import { fakeDisk } from '../../helpers/fake-disk.js';

const MiB = 1024 * 1024;
const fs = (type: string | undefined, uuid?: string, label?: string) => ({ type, uuid, label, version: undefined, usage: type ? 'filesystem' : undefined, ptType: undefined, raw: {} });

/** An MBR source: 1 ext4 (100 MiB, 10 MiB used), 2 extended, 5 logical swap (the last). 400 MiB in all. */
function source(over: Partial<Disk> = {}): Disk {
  const table: PartitionTable = {
    type: 'dos', id: '0x1234', sectorSize: 512, firstLba: undefined, lastLba: undefined,
    partitions: [
      { number: 1, node: '/dev/sda1', start: 2048, size: 204800, type: '83', uuid: undefined, name: undefined, attrs: undefined, bootable: true },
      { number: 2, node: '/dev/sda2', start: 206848, size: 204800, type: '5', uuid: undefined, name: undefined, attrs: undefined, bootable: false },
      { number: 5, node: '/dev/sda5', start: 208896, size: 202752, type: '82', uuid: undefined, name: undefined, attrs: undefined, bootable: false },
    ],
  };
  const d = fakeDisk({ device: '/dev/sda', name: 'sda', majMin: '8:0', sizeBytes: 400 * MiB, table, tableType: 'dos', ...over }, [
    { device: '/dev/sda1', start: 2048, size: 204800, sizeBytes: 100 * MiB, fs: fs('ext4', 'u-1', 'root'), usedBytes: 10 * MiB },
    { device: '/dev/sda2', number: 2, start: 206848, size: 204800, sizeBytes: 100 * MiB, type: '5', extended: true },
    { device: '/dev/sda5', number: 5, start: 208896, size: 202752, sizeBytes: 99 * MiB, type: '82', fs: fs('swap', 'u-5', 'sw') },
  ]);
  return { ...d, layout: layoutFromTable(table, d.sizeBytes) };
}

test('a clone: table, boot code, hidden data, EBR, each partition, swap, then the checks', (t) => {
  const plan = planClone({ source: source(), target: fakeDisk() }, { grow: false });
  t.deepEqual(plan.refusals, []);
  t.deepEqual(plan.steps.map((s) => s.kind), ['table', 'boot-code', 'hidden-data', 'ebr', 'partition', 'swap', 'check']);
  t.like(plan.steps[4], { kind: 'partition', source: '/dev/sda1', target: '/dev/sdb1', bytes: 10 * MiB });
  t.deepEqual(plan.steps[4]!.kind === 'partition' && plan.steps[4]!.handler.copy('S', 'T'), ['partclone.ext4', '-b', '-f', '1', '-s', 'S', '-o', 'T']);
  t.like(plan.steps[5], { kind: 'swap', target: '/dev/sdb5', id: { uuid: 'u-5', label: 'sw' } });
  t.like(plan.steps[6], { kind: 'check', target: '/dev/sdb1', fsType: 'ext4' });
});

test('--grow: the table grows its last partition, and the grow comes before the last swap is made', (t) => {
  const plan = planClone({ source: source(), target: fakeDisk() }, { grow: true });
  t.like(plan.steps[0], { kind: 'table', policy: { kind: 'grow-last' } });
  t.deepEqual(plan.steps.map((s) => s.kind), ['table', 'boot-code', 'hidden-data', 'ebr', 'partition', 'grow', 'swap', 'check']);
});

test('an unknown filesystem is copied raw, whole', (t) => {
  const src = source();
  src.partitions[0] = { ...src.partitions[0]!, fs: fs(undefined) };
  const plan = planClone({ source: src, target: fakeDisk() }, { grow: false });
  const copy = plan.steps.find((s) => s.kind === 'partition');
  t.like(copy, { bytes: 100 * MiB });
  t.is(copy?.kind === 'partition' && copy.handler.fsName, 'dd');
  t.false(plan.steps.some((s) => s.kind === 'check'));
});

test('refusals of the target: in use, live medium, read-only, other sector size', (t) => {
  const target = fakeDisk({ inUse: true, liveMedium: true, readOnly: true, logicalSectorSize: 4096 }, [{ mountpoints: ['/mnt'] }]);
  const plan = planClone({ source: source(), target }, { grow: false });
  t.deepEqual(plan.refusals.map((r) => r.code), ['in-use', 'live-medium', 'read-only', 'sector-size']);
  t.regex(describeClonePlan(plan).join('\n'), /REFUSED: \/dev\/sdb is the medium the live system booted from/);
});

test('refusals of the source: mounted or active swap; the target is the source', (t) => {
  const src = source();
  src.partitions[0] = { ...src.partitions[0]!, mountpoints: ['/'] };
  src.partitions[2] = { ...src.partitions[2]!, swapActive: true };
  t.deepEqual(planClone({ source: src, target: fakeDisk() }, { grow: false }).refusals.map((r) => r.code), ['mounted', 'swap-active']);
  t.deepEqual(planClone({ source: source(), target: source() }, { grow: false }).refusals.map((r) => r.code), ['same-disk']);
});

test('a smaller target: too small when the used data does not fit, needs-shrink (pointing to --shrink) when it would', (t) => {
  const small = planClone({ source: source(), target: fakeDisk({ sizeBytes: 5 * MiB }) }, { grow: false });
  t.deepEqual(small.refusals.map((r) => r.code), ['too-small']);
  const smaller = planClone({ source: source(), target: fakeDisk({ sizeBytes: 150 * MiB }) }, { grow: false });
  t.deepEqual(smaller.refusals.map((r) => r.code), ['needs-shrink']);
  t.regex(smaller.refusals[0]!.hint ?? '', /--shrink/);
});

test('--shrink on a smaller target: the planned layout, the ext4 shrunk through a staging copy, the way and the space in the plan', (t) => {
  const staging = [{ dir: '/tmp', where: 'tmp' as const, freeBytes: 10_000 * MiB }];
  const plan = planClone({ source: source(), target: fakeDisk({ sizeBytes: 150 * MiB }), staging }, { grow: false, shrink: true });
  t.deepEqual(plan.refusals, []);
  t.like(plan.steps[0], { kind: 'table', policy: { kind: 'planned' } });
  const shrink = plan.steps.find((s) => s.kind === 'shrink');
  t.like(shrink, { kind: 'shrink', source: '/dev/sda1', target: '/dev/sdb1', fsType: 'ext4', oldBytes: 100 * MiB, stagingDir: '/tmp' });
  t.true(shrink!.kind === 'shrink' && shrink!.newBytes < 100 * MiB);
  const text = describeClonePlan(plan).join('\n');
  t.regex(text, /New layout \(old size -> new size\):\n    sda1 \(ext4\): 100 MiB -> [\d.]+ MiB, e2fsck -f and resize2fs/);
  t.regex(text, /Staging: up to [\d.]+ MiB of sparse files in \/tmp \(the temporary directory/);
  // Too small for the used data plus margins: refused with both numbers; no staging space: refused too.
  const tiny = planClone({ source: source(), target: fakeDisk({ sizeBytes: 60 * MiB }), staging }, { grow: false, shrink: true });
  t.deepEqual(tiny.refusals.map((r) => r.code), ['too-small-for-data']);
  t.regex(tiny.refusals[0]!.message, /need \d+ bytes .* has 62914560 bytes/);
  const nowhere = planClone({ source: source(), target: fakeDisk({ sizeBytes: 150 * MiB }), staging: [] }, { grow: false, shrink: true });
  t.deepEqual(nowhere.refusals.map((r) => r.code), ['no-staging-space']);
});

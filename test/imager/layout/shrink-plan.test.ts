// The smaller-disk planner is pure: a table, used bytes and a target size in; the new layout or the needed size out.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { layoutFromTable } from '../../../imager/layout/build.js';
import type { LayoutTable } from '../../../imager/layout/model.js';
import { placementOf, planShrink, type ShrinkPartFacts } from '../../../imager/layout/shrink-plan.js';
import { sfdiskScript } from '../../../imager/layout/sfdisk-script.js';
import { shrinkableTypes } from '../../../imager/fs/registry.js';
import { parseSfdiskDump } from '../../../imager/parse/sfdisk.js';

const MiB = 1024 * 1024;
const S = 2048; // sectors per MiB
const fixture = async (f: string) => layoutFromTable(parseSfdiskDump(await readFile(new URL(`../../fixtures/sfdisk/${f}.dump`, import.meta.url), 'utf8')), 1 << 30).table!;
const shrinkable = shrinkableTypes();

function simple(): LayoutTable {
  return {
    type: 'gpt', id: 'X', sectorSize: 512, firstLba: 2048,
    partitions: [
      { number: 1, start: S, size: 100 * S, type: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', bootable: false, content: { kind: 'empty' } },
      { number: 2, start: 101 * S, size: 1000 * S, type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', bootable: false, content: { kind: 'empty' } },
      { number: 3, start: 1101 * S, size: 100 * S, type: '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F', bootable: false, content: { kind: 'empty' } },
    ],
  };
}
const simpleFacts: ShrinkPartFacts[] = [
  { number: 1, fsType: 'vfat', usedBytes: 10 * MiB },
  { number: 2, fsType: 'ext4', usedBytes: 100 * MiB },
  { number: 3, fsType: 'swap', usedBytes: undefined },
];

test('the rule, worked through: the ESP keeps its size, ext4 and swap keep their least size plus the same share of their free room', (t) => {
  const plan = planShrink({ table: simple(), targetBytes: 600 * MiB, parts: simpleFacts, shrinkable });
  t.true(plan.ok);
  // Least sizes: ext4 100 MiB used + 64 MiB margin = 164 MiB; swap 64 MiB. They end at 329 MiB; 270 whole MiB are
  // left before the GPT's 33 sectors: 270/872 of each one's room (836 and 36 MiB), the rounding MiB to ext4.
  t.deepEqual(
    plan.partitions.map((p) => [p.number, p.role, p.start / S, p.size / S]),
    [
      [1, 'fixed', 1, 100],
      [2, 'shrinks', 101, 164 + 259],
      [3, 'swap', 524, 64 + 11],
    ],
  );
  t.is(plan.partitions[0]!.reason, 'boot or firmware partition');
});

test('too small for the least sizes: not ok, with the smallest target that would do and the target size', (t) => {
  const plan = planShrink({ table: simple(), targetBytes: 300 * MiB, parts: simpleFacts, shrinkable });
  t.false(plan.ok);
  t.is(plan.neededBytes, 329 * MiB + 33 * 512);
  t.is(plan.availableBytes, 300 * MiB);
  t.true(planShrink({ table: simple(), targetBytes: plan.neededBytes, parts: simpleFacts, shrinkable }).ok, 'exactly the needed size fits');
});

test('unknown used bytes, raw content, a small recovery partition and the floor of XFS keep sizes; every start is aligned and nothing overlaps', async (t) => {
  const table = await fixture('gpt');
  table.partitions[3]!.type = 'DE94BBA4-06D1-4D40-A16A-BFD50179D6AC'; // p4 becomes a (100 MiB) recovery partition
  const parts: ShrinkPartFacts[] = [
    { number: 1, fsType: 'vfat', usedBytes: MiB },
    { number: 2, fsType: 'ext4', usedBytes: 20 * MiB },
    { number: 3, fsType: 'xfs', usedBytes: 10 * MiB }, // 300 MiB: the XFS floor, so it cannot shrink
    { number: 4, fsType: 'ntfs', usedBytes: 5 * MiB },
    { number: 5, fsType: 'swap', usedBytes: undefined },
    { number: 6, fsType: 'dd', usedBytes: 16 * MiB },
  ];
  const plan = planShrink({ table, targetBytes: 620 * MiB, parts, shrinkable });
  t.true(plan.ok, JSON.stringify(plan));
  const by = new Map(plan.partitions.map((p) => [p.number, p]));
  for (const n of [1, 3, 4, 6]) t.is(by.get(n)!.size, by.get(n)!.oldSize, `partition ${n} keeps its size`);
  t.is(by.get(4)!.reason, 'recovery partition');
  t.is(by.get(6)!.reason, 'dd is not shrunk');
  t.true(by.get(2)!.size < by.get(2)!.oldSize && by.get(2)!.size >= 84 * S, 'ext4 shrinks, not below its used bytes plus margin');
  let end = 0;
  for (const p of [...plan.partitions].sort((a, b) => a.start - b.start)) {
    t.is(p.start % S, 0);
    t.true(p.start >= end, `partition ${p.number} starts after the previous one`);
    end = p.start + p.size;
  }
  t.true(end <= (620 * MiB) / 512 - 33, 'room for the GPT backup at the end');
  const unknown = planShrink({ table, targetBytes: 620 * MiB, parts: parts.map((f) => (f.number === 2 ? { ...f, usedBytes: undefined } : f)), shrinkable });
  t.is(unknown.partitions.find((p) => p.number === 2)!.reason, 'used bytes not recorded');
});

test('MBR with logical partitions: the extended partition holds them all, each with a MiB for its boot record before it', async (t) => {
  const table = await fixture('mbr');
  const parts: ShrinkPartFacts[] = [
    { number: 1, fsType: 'ext4', usedBytes: 20 * MiB },
    { number: 5, fsType: 'ext4', usedBytes: 10 * MiB },
    { number: 6, fsType: 'ntfs', usedBytes: 5 * MiB },
    { number: 7, fsType: 'swap', usedBytes: undefined },
  ];
  const plan = planShrink({ table, targetBytes: 250 * MiB, parts, shrinkable });
  t.true(plan.ok, JSON.stringify(plan));
  const by = new Map(plan.partitions.map((p) => [p.number, p]));
  const ext = by.get(2)!;
  t.is(ext.role, 'extended');
  let previousEnd = ext.start;
  for (const n of [5, 6, 7]) {
    const p = by.get(n)!;
    t.true(p.start >= previousEnd + 1, `logical ${n} leaves room for its EBR`);
    t.is(p.start % S, 0);
    previousEnd = p.start + p.size;
  }
  t.is(ext.start + ext.size, previousEnd, 'the extended partition ends with its last logical one');
  t.true(ext.start >= by.get(1)!.start + by.get(1)!.size);
  t.true(previousEnd <= (250 * MiB) / 512, 'all within the target');
  t.is(by.get(1)!.start, 2048, 'the first partition keeps its start (the hidden data before it stays where it was)');
});

test('the planned policy writes the new starts and sizes, keeping GUIDs, types and names', async (t) => {
  const table = await fixture('gpt');
  const parts: ShrinkPartFacts[] = [2, 3, 4].map((n) => ({ number: n, fsType: 'ext4', usedBytes: MiB }));
  const plan = planShrink({ table, targetBytes: 500 * MiB, parts, shrinkable });
  t.true(plan.ok);
  const script = sfdiskScript(table, { device: '/dev/sdz', partitionPath: (n) => `/dev/sdz${n}` }, { kind: 'planned', at: placementOf(plan) });
  const written = parseSfdiskDump(script);
  t.is(written.id, table.id);
  for (const p of plan.partitions) {
    const w = written.partitions.find((q) => q.number === p.number)!;
    const o = table.partitions.find((q) => q.number === p.number)!;
    t.deepEqual([w.start, w.size, w.type, w.uuid, w.name], [p.start, p.size, o.type, o.uuid, o.name]);
  }
});

test('sizes a person chose: the partition takes exactly that size, the others share what is left by the rule', (t) => {
  const plan = planShrink({ table: simple(), targetBytes: 600 * MiB, parts: simpleFacts, shrinkable, sizes: new Map([[2, 200 * MiB + 1]]) });
  t.true(plan.ok);
  // 200 MiB + 1 byte rounds up to 201 MiB; swap gets all the room it had (its old 100 MiB), the rest stays free.
  t.deepEqual(
    plan.partitions.map((p) => [p.number, p.start / S, p.size / S, p.chosen ?? false]),
    [
      [1, 1, 100, false],
      [2, 101, 201, true],
      [3, 302, 100, false],
    ],
  );
});

test('sizes a person chose that the rule cannot take: one problem each, naming the partition and both sizes', (t) => {
  const plan = planShrink({
    table: simple(),
    targetBytes: 600 * MiB,
    parts: simpleFacts,
    shrinkable,
    sizes: new Map([
      [1, 50 * MiB],
      [2, 120 * MiB],
      [3, 2000 * MiB],
      [9, MiB],
    ]),
  });
  t.false(plan.ok);
  t.deepEqual(!plan.ok && plan.problems, [
    'partition 1 keeps its size of 100 MiB (boot or firmware partition)',
    'partition 2: 120 MiB is less than it needs, 164 MiB (its used data and margin)',
    'partition 3: 2000 MiB is more than its 100 MiB in the image; a smaller layout does not grow a partition',
    'partition 9: the image has no such partition (it has 1, 2, 3)',
  ]);
  // A fixed partition given its own size is no problem.
  t.true(planShrink({ table: simple(), targetBytes: 600 * MiB, parts: simpleFacts, shrinkable, sizes: new Map([[1, 100 * MiB]]) }).ok);
});

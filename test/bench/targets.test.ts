import test from 'ava';
import { imagerTargets } from '../../bench/report.js';
import { type Op, type Run } from '../../bench/measure.js';
import { parseArgs } from '../../bench/settings.js';
import { partitionsText } from '../../bench/partitions.js';
import { atMost, notMeasured, targetLines, verdict } from '../../bench/targets.js';

const run = (durable: number): Run => ({ exit: durable, durable, cpu: 1, hostBusy: 1 });
const op = (id: string, secs: number[], imageBytes?: number): Op => ({ id, phase: id.endsWith('restore') ? 'restore' : 'backup', label: id, command: id, runs: secs.map(run), ...(imageBytes ? { imageBytes } : {}) });

test('a value at or under its limit passes; over it, the miss is said in points or in the unit and as a share', (t) => {
  t.is(verdict(atMost('s', 'a', 'ratio', 'ratio', 1.05, 1.05)), 'PASS');
  t.is(verdict(atMost('s', 'a', 'ratio', 'ratio', 1.207, 1.05)), 'MISS by 15.7 points (+15.0% over the limit)');
  t.is(verdict(atMost('s', 'a', 'build', 's', 54, 45)), 'MISS by 9.0 s (+20.0% over the limit)');
  t.is(verdict(atMost('s', 'a', 'iso', 'bytes', 310e6, 300e6)), 'MISS by 10.0 MB (+3.3% over the limit)');
  t.is(verdict(atMost('s', 'a', 'ram', 'MiB', Infinity, 768, 'none of 512, 768, 1024 MiB completed')), 'MISS (none of 512, 768, 1024 MiB completed)');
  t.is(verdict(notMeasured('ui', 'u', 'peak', 'MiB', NaN, 'needs lifeboat ui')), 'not measured: needs lifeboat ui');
});

test('imager targets come from the medians, pair by pair; the dd target only on the quarter-full disk', (t) => {
  const ops = [
    op('lb-backup', [10, 11, 30], 1000),
    op('hand-backup', [10, 9, 10]),
    op('hand-crc-backup', [16, 15, 14]),
    op('dd-backup', [40, 40, 41]),
    op('ocs-backup', [20, 21, 19], 1100),
    op('lb-restore', [5, 5, 5]),
    op('hand-restore', [5, 4, 6]),
  ];
  const half = imagerTargets({ spec: { id: 'half', version: 'x', scale: 1 }, ops });
  t.deepEqual(half.map((x) => x.id), ['half-backup-vs-hand', 'half-restore-vs-hand', 'half-backup-vs-hand-crc', 'half-backup-vs-ocs', 'half-image-vs-ocs']);
  const byId = (id: string) => half.find((x) => x.id === id)!;
  t.is(byId('half-backup-vs-hand').measured, 1.1);
  t.false(byId('half-backup-vs-hand').pass);
  t.true(byId('half-restore-vs-hand').pass);
  t.is(byId('half-restore-vs-hand').limit, 1.1);
  t.is(byId('half-backup-vs-hand-crc').measured, 11 / 15);
  t.true(byId('half-backup-vs-hand-crc').pass);
  t.is(byId('half-backup-vs-ocs').measured, 0.55);
  t.true(byId('half-backup-vs-ocs').pass);
  t.true(byId('half-image-vs-ocs').pass);
  const quarter = imagerTargets({ spec: { id: 'quarter', version: 'x', scale: 0.5 }, ops });
  const dd = quarter.find((x) => x.id === 'quarter-backup-vs-dd')!;
  t.is(dd.measured, 11 / 40);
  t.true(dd.pass);
});

test('target lines line up and show the measured value and the limit', (t) => {
  const lines = targetLines([atMost('iso', 'iso-size', 'default ISO size', 'bytes', 275_378_176, 300e6), atMost('iso', 'boot', 'boot', 's', 61.5, 60)]);
  t.regex(lines[0]!, /default ISO size +275\.4 MB +limit +300\.0 MB +PASS/);
  t.regex(lines[1]!, /boot +61\.5 s +limit +60\.0 s +MISS by 1\.5 s/);
});

test('arguments: sections, reps, disks; bad values refused', (t) => {
  const a = parseArgs(['--only', 'iso,guest-ram', '--reps=2', '--disk', 'quarter', '--json']);
  t.deepEqual(a.only, ['iso', 'guest-ram']);
  t.is(a.reps, 2);
  t.deepEqual(a.disks, ['quarter']);
  t.true(a.json);
  t.deepEqual(parseArgs([]).only, ['imager', 'partitions', 'shrink', 'repository', 'iso', 'guest-ram', 'ui']);
  t.deepEqual(parseArgs(['--only', 'ui']).only, ['ui']);
  t.is(parseArgs(['--save', '/tmp/r.json']).save, '/tmp/r.json');
  t.throws(() => parseArgs(['--only', 'gui']), { message: /--only wants one or more of imager, partitions, shrink, repository, iso, guest-ram, ui, not 'gui'/ });
  t.throws(() => parseArgs(['--reps', '0']), { message: /positive integer/ });
});

test('partitions section text: each job with Lifeboat, by hand and the ratio of the medians', (t) => {
  const run = (durable: number) => ({ exit: durable, durable, cpu: 0, hostBusy: 0 });
  const op = (id: string, xs: number[]) => ({ id, phase: 'backup' as const, label: id, command: id, runs: xs.map(run) });
  const lines = partitionsText(
    {
      partitions: 6,
      restoredOk: true,
      ops: [op('lb-backup', [5, 6, 7]), op('hand-backup', [10, 12, 11]), op('lb-verify', [2, 2, 2]), op('hand-verify', [8, 8, 8]), op('lb-restore', [1, 3, 2]), op('hand-restore', [8, 8, 8])],
    },
    3,
  );
  t.regex(lines.join('\n'), /backup {3}Lifeboat 6\.00 s \(5\.00–7\.00\) {3}by hand 11\.00 s \(10\.00–12\.00\) {3}×0\.55/);
  t.regex(lines.join('\n'), /restore {2}Lifeboat 2\.00 s \(1\.00–3\.00\) {3}by hand 8\.00 s \(8\.00–8\.00\) {3}×0\.25/);
  t.regex(lines.at(-1)!, /checked .*: OK$/);
  t.false(lines.some((l) => l.includes('clone')), 'no clone line without clone runs');
});

test('partitions section text: clone against Lifeboat backup plus restore, the ratio of the medians', (t) => {
  const run = (durable: number) => ({ exit: durable, durable, cpu: 0, hostBusy: 0 });
  const op = (id: string, xs: number[]) => ({ id, phase: 'backup' as const, label: id, command: id, runs: xs.map(run) });
  const ops = [op('lb-backup', [6]), op('hand-backup', [1]), op('lb-verify', [1]), op('hand-verify', [1]), op('lb-restore', [4]), op('hand-restore', [1]), op('lb-clone', [4, 5, 6])];
  const lines = partitionsText({ partitions: 6, restoredOk: true, ops }, 3);
  t.regex(lines.join('\n'), /clone {4}Lifeboat 5\.00 s \(4\.00–6\.00\) {3}Lifeboat backup \+ restore 10\.00 s {3}×0\.50/);
});

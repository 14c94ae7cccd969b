import test from 'ava';
import { churnPlan, type FileEntry } from '../../bench/churn.js';
import { type Op, type Run } from '../../bench/measure.js';
import { repositoryFigures, repositoryTargets } from '../../bench/repository-report.js';
import { repositoryOps } from '../../bench/repository.js';

const run = (durable: number): Run => ({ exit: durable, durable, cpu: 1, hostBusy: 1 });

/** The half-full disk's shape, in small: many 64 KiB and 256 KiB files, a few large ones. */
function files(): FileEntry[] {
  const out: FileEntry[] = [];
  for (let i = 0; i < 4; i++) out.push({ path: `media/video${i}.bin`, bytes: 128 << 20 });
  for (let i = 0; i < 2048; i++) out.push({ path: `photos/d${i % 32}/img${i}.jpg`, bytes: 256 << 10 });
  for (let i = 0; i < 8192; i++) out.push({ path: `src/m${i % 64}/f${i}.txt`, bytes: 64 << 10 });
  return out;
}

test('a change plan is about 1% of the bytes, the same for the same files and round, another for another round', (t) => {
  const fs = files();
  const total = fs.reduce((n, f) => n + f.bytes, 0);
  const a = churnPlan(fs, 1);
  t.deepEqual(churnPlan([...fs].reverse(), 1), a);
  t.true(a.changedBytes >= total * 0.009 && a.changedBytes <= total * 0.011, `${a.changedBytes / total}`);
  t.false(a.rewrite.some((f) => f.bytes === 128 << 20), 'no file larger than its part of the budget');
  const rewritten = new Set(a.rewrite.map((f) => f.path));
  t.false(a.remove.some((f) => rewritten.has(f.path)), 'no file both rewritten and removed');
  t.true(a.add.every((f) => !fs.some((g) => g.path === f.path)));
  t.deepEqual(a.add.map((f) => f.bytes), a.remove.map((f) => f.bytes));
  const b = churnPlan(fs, 2);
  t.notDeepEqual(b.rewrite.map((f) => f.path), a.rewrite.map((f) => f.path));
});

test('repository targets: time ratios from the medians, growth against the first backup, the saving reported', (t) => {
  const secs: Record<string, number[]> = {
    'lb-first': [30, 31, 29],
    'hand-first': [20, 20, 21],
    'lb-second': [12, 12, 30],
    'hand-second': [20, 20, 20],
    'lb-third': [12, 12, 12],
    'hand-third': [20, 20, 20],
    'lb-restore': [40, 40, 40],
    'hand-restore': [20, 20, 20],
  };
  const ops: Op[] = repositoryOps().map((o) => ({ ...o, runs: secs[o.id]!.map(run) }));
  const r = { ops, repoBytes: [[1000, 1030, 1060], [1000, 1070, 1100], [1000, 1040, 1080]], folderImageBytes: 900 };
  const f = repositoryFigures(r);
  t.is(f.firstVsHand, 1.5);
  t.is(f.secondVsHandFull, 0.6);
  t.is(f.growthSecondBytes, 40);
  t.is(f.growthSecondShare, 0.04);
  t.is(f.repoVsThreeFolders, 1080 / 2700);
  const ts = repositoryTargets(r);
  t.deepEqual(ts.map((x) => [x.id, x.pass]), [
    ['repo-first-backup-vs-hand', true],
    ['repo-second-backup-vs-hand-full', true],
    ['repo-second-growth', true],
    ['repo-restore-vs-hand', false],
    ['repo-vs-three-folder-images', null],
  ]);
  t.regex(ts.at(-1)!.note!, /saving 60\.0%/);
});

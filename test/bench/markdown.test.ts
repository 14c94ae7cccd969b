import test from 'ava';
import { markdownReport, type SavedReport } from '../../bench/markdown.js';
import { atMost, notMeasured } from '../../bench/targets.js';

const spread = (median: number, min = median, max = median) => ({ median, min, max });

test('the README tables: machine line, one imager table per disk with ratios, the ISO figures, the targets with verdicts', (t) => {
  const report: SavedReport = {
    command: 'npm run bench -- --save r.json',
    reps: 3,
    machine: { nproc: 2, cpu: 'AMD EPYC', memBytes: 24 * 1024 ** 3, diskBytes: 252 * 1024 ** 3, loadAverageAtStart: [6.1, 7.2, 5.6], loadAverageAtEnd: [3, 4, 5] },
    imager: [
      {
        disk: { id: 'quarter', fsUsedBytes: 1.14 * 1024 ** 3, sizeBytes: 4 * 1024 ** 3 },
        operations: [
          { id: 'lb-backup', phase: 'backup', label: 'Lifeboat backup (CLI)', seconds: spread(8, 7, 9), imageBytes: 619 * 1024 ** 2 },
          { id: 'hand-backup', phase: 'backup', label: 'hand partclone -a0 | zstd', seconds: spread(4) },
          { id: 'dd-backup', phase: 'backup', label: 'dd | zstd', seconds: spread(32) },
          { id: 'ocs-backup', phase: 'backup', label: 'Clonezilla ocs-sr savedisk', seconds: spread(40) },
        ],
      },
    ],
    iso: { bytes: 275_378_176, coldStat: spread(292.6), warmStat: spread(50, 40, 60), bootStat: spread(55), cold: [{}], warm: [{}, {}], bootSeconds: [55], bootMemoryMiB: 1024 },
    targets: [atMost('iso', 'iso-warm-build', 'ISO warm rebuild', 's', 50, 45), notMeasured('ui', 'ui', 'peak memory of lifeboat ui', 'MiB', NaN, 'needs lifeboat ui')],
  };
  const md = markdownReport(report, '2026-11-26');
  t.regex(md, /^Latest figures \(2026-11-26; `npm run bench -- --save r\.json`, 3 reps, .*2 vCPUs AMD EPYC, 24 GiB RAM, 252 GiB disk, .*load average 3\.0–7\.2: the machine was busy/);
  t.regex(md, /\| backup: Lifeboat backup \(CLI\) \| 8\.0 \(7\.0–9\.0\) \| 2\.00 \| 0\.25 \| 0\.20 \| 619 MiB \|/);
  t.regex(md, /\| backup: hand partclone -a0 \\\| zstd \| 4\.0 \(4\.0–4\.0\) \| 1\.00 \|/);
  t.regex(md, /\| size \| 275\.4 MB \(275,378,176 bytes\) \|/);
  t.regex(md, /\| warm rebuild after an app-only change, root reused \(2×\) \| 50\.0 \(40\.0–60\.0\) s \|/);
  t.regex(md, /\| ISO warm rebuild \| 50\.0 s \| ≤ 45\.0 s \| MISS by 5\.0 s \(\+11\.1% over the limit\) \|/);
  t.regex(md, /\| peak memory of lifeboat ui \| – \| – \| not measured: needs lifeboat ui \|/);
});

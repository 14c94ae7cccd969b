import test from 'ava';
import { type DiskInfo } from '../../bench/disk.js';
import { type Run } from '../../bench/measure.js';
import { uiSummary, uiTargets, uiText } from '../../bench/sections-report.js';
import { verdict } from '../../bench/targets.js';
import { backupEnd } from '../../bench/ui.js';

const MiB = 1024 ** 2;
// The result screen as the real-terminal test captured it (test-artifacts/rescue-ui-screens.txt, shown in the README).
const complete = `│ Backup complete: /dev/loop1p1:/loop0-2026-11-26-1257                         │
│ Size         25.7 MiB (6 partitions)                                         │
│ Time         0:05                                                            │
│ Verification OK: 21 checksums, 5 partition images checked in 8.4 s           │
│                                                                              │
│ Enter: back to the main menu                                                 │`;

test('the backup\'s end read off the screen: running, complete with the verification\'s seconds, or ended otherwise', (t) => {
  t.deepEqual(backupEnd('│ overall   1.2 GiB  42.0%  Esc stop the job'), { done: false });
  t.deepEqual(backupEnd(complete), { done: true, ok: true, verifySeconds: 8.4 });
  t.deepEqual(backupEnd('│ Backup complete: /dev/loop1p1:/x\n│ Enter: back to the main menu'), { done: true, ok: true, verifySeconds: null });
  t.deepEqual(backupEnd('│ Error: partclone.ext4 failed (exit 1)\n│ Enter: back to the main menu'), { done: true, ok: false });
});

test('the UI summary: medians and spreads of the reps, the CLI beside it; reported with no limit, 768 MiB as context', (t) => {
  const cli = (peak: number, exit: number): Run => ({ exit, durable: exit + 1, cpu: 1, hostBusy: 2, peakRssBytes: peak * MiB });
  const s = uiSummary({
    disk: { fsUsedBytes: 2.14 * 1024 ** 3 } as DiskInfo,
    storeMiB: 6144,
    ui: [
      { seconds: 40, verifySeconds: 10, nodePeakRssBytes: 120 * MiB, treePeakRssBytes: 200 * MiB },
      { seconds: 50, verifySeconds: 12, nodePeakRssBytes: 110 * MiB, treePeakRssBytes: 190 * MiB },
      { seconds: 45, verifySeconds: null, nodePeakRssBytes: 130 * MiB, treePeakRssBytes: 210 * MiB },
    ],
    cli: [cli(160, 20), cli(170, 22), cli(165, 21)],
  });
  t.deepEqual(s.nodePeakRssBytes, { median: 120 * MiB, min: 110 * MiB, max: 130 * MiB });
  t.deepEqual(s.seconds, { median: 45, min: 40, max: 50 });
  t.is(s.cliPeakRssBytes.median, 165 * MiB);
  t.is(s.cliSeconds.median, 21);
  const [row] = uiTargets(s);
  t.is(row!.measured, 120);
  t.is(row!.pass, null);
  t.is(verdict(row!), 'no limit: the issue sets none; for scale, the ISO must run a full backup + restore with 768 MiB of guest RAM; whole tree 200 MiB');
  const text = uiText(s).join('\n');
  t.regex(text, /peak RSS, the UI's node process +120 MiB \(110–130\)/);
  t.regex(text, /peak RSS, its tree \(\+partclone, zstd\) +200 MiB \(190–210\)/);
  t.regex(text, /lifeboat backup` \(CLI\).*165 MiB \(160–170\); 21\.0 s \(20\.0–22\.0\) to exit/);
});

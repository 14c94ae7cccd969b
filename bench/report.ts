// The imager section's report: per disk, a table of medians, spreads and ratios; the imager targets.
import { type DiskResult } from './imager.js';
import { type Op, gib, median, mibs } from './measure.js';
import { type TargetResult, atMost, fmtPct } from './targets.js';
import { targets } from './settings.js';

export interface Stat {
  median: number;
  min: number;
  max: number;
}
export const stats = (xs: number[]): Stat => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

/** The time an operation is judged by: wall seconds until it exited and a following sync returned (data on disk). */
const seconds = (o: Op | undefined) => (o ? median(o.runs.map((r) => r.durable)) : NaN);

/** The imager targets of one disk, from the medians. */
export function imagerTargets(r: Pick<DiskResult, 'spec' | 'ops'>): TargetResult[] {
  const o = (id: string) => r.ops.find((x) => x.id === id);
  const d = r.spec.id;
  const s = `imager/${d}`;
  const out: TargetResult[] = [];
  for (const phase of ['backup', 'restore'] as const)
    out.push(atMost(s, `${d}-${phase}-vs-hand`, `${d}: Lifeboat ${phase} ÷ partclone | zstd`, 'ratio', seconds(o(`lb-${phase}`)) / seconds(o(`hand-${phase}`)), 1 + (phase === 'backup' ? targets.handSlack : targets.restoreHandSlack)));
  out.push(atMost(s, `${d}-backup-vs-hand-crc`, `${d}: Lifeboat backup ÷ partclone (CRC) | zstd`, 'ratio', seconds(o('lb-backup')) / seconds(o('hand-crc-backup')), targets.crcBackupShare));
  out.push(atMost(s, `${d}-backup-vs-ocs`, `${d}: Lifeboat backup ÷ ocs-sr savedisk`, 'ratio', seconds(o('lb-backup')) / seconds(o('ocs-backup')), targets.ocsBackupShare));
  if (d === 'quarter') out.push(atMost(s, `${d}-backup-vs-dd`, `${d}: Lifeboat backup ÷ dd | zstd`, 'ratio', seconds(o('lb-backup')) / seconds(o('dd-backup')), targets.ddBackupShareQuarter));
  out.push(atMost(s, `${d}-image-vs-ocs`, `${d}: Lifeboat image ÷ Clonezilla's`, 'ratio', (o('lb-backup')?.imageBytes ?? NaN) / (o('ocs-backup')?.imageBytes ?? NaN), targets.ocsImageShare));
  return out;
}

function rowsOf(r: DiskResult) {
  return r.ops.map((x) => ({
    ...x,
    exitStat: stats(x.runs.map((y) => y.exit)),
    durableStat: stats(x.runs.map((y) => y.durable)),
    cpuStat: stats(x.runs.map((y) => y.cpu)),
    // Busy CPU of the host that was not the command's own: other users, and kernel threads (writeback, loop workers).
    otherStat: stats(x.runs.map((y) => y.hostBusy - y.cpu)),
  }));
}

/** Lifeboat's phase breakdown: the median arrival time of each --json event. */
function phases(o: Op): Record<string, number> {
  const keys = Object.keys(o.runs[0]?.phases ?? {});
  return Object.fromEntries(keys.map((k) => [k, median(o.runs.map((r) => r.phases?.[k] ?? NaN))]));
}

/** The median of the Lifeboat runs' sampled peak memory (their process trees), in bytes. */
export function peakRss(o: Op): number {
  return median(o.runs.map((x) => x.peakRssBytes ?? NaN));
}

export function imagerJson(r: DiskResult): Record<string, unknown> {
  const lb = (id: string) => r.ops.find((x) => x.id === id)!;
  return {
    disk: { id: r.spec.id, ...r.disk },
    operations: rowsOf(r).map((x) => ({
      id: x.id,
      phase: x.phase,
      label: x.label,
      command: x.command,
      imageBytes: x.imageBytes,
      seconds: x.durableStat,
      secondsToExit: x.exitStat,
      cpuSeconds: x.cpuStat,
      otherCpuSeconds: x.otherStat,
      runs: x.runs,
    })),
    lifeboatPhases: { backup: phases(lb('lb-backup')), restore: phases(lb('lb-restore')) },
    lifeboatPeakRssBytes: { backup: peakRss(lb('lb-backup')), restore: peakRss(lb('lb-restore')) },
    lifeboatImageEqualsHand: r.sameImage,
    targets: imagerTargets(r),
  };
}

export function imagerText(r: DiskResult, reps: number): string[] {
  const rows = rowsOf(r);
  const med = (id: string) => rows.find((x) => x.id === id)!.durableStat.median;
  const p = (s: string, n: number) => s.padEnd(n);
  const l = (s: string, n: number) => s.padStart(n);
  const { disk } = r;
  const lines: string[] = [];
  lines.push('');
  lines.push(`Imager, disk "${r.spec.id}": ${gib(disk.sizeBytes)} GPT, one ext4 partition, ${gib(disk.fsUsedBytes)} used of ${gib(disk.fsSizeBytes)} (${mibs(disk.written.randomBytes)} random, ${mibs(disk.written.textBytes)} log-like text, ${mibs(disk.written.repeatedBytes)} repetitive; ${disk.written.files} files); ${reps} rep(s)`);
  const W = [42, 9, 14, 9, 8, 8, 10, 7, 7, 7];
  lines.push(`${p('operation', W[0]!)}${l('median s', W[1]!)}${l('min–max', W[2]!)}${l('to exit', W[3]!)}${l('CPU s', W[4]!)}${l('other', W[5]!)}${l('image', W[6]!)}${l('÷hand', W[7]!)}${l('÷dd', W[8]!)}${l('÷ocs', W[9]!)}`);
  lines.push('-'.repeat(W.reduce((a, b) => a + b, 0)));
  for (const phase of ['backup', 'restore'] as const)
    for (const x of rows.filter((y) => y.phase === phase))
      lines.push(
        [
          p(`${phase} ${x.label.replace(/ (backup|restore)( \(CLI\))?$/, '$2')}`, W[0]!),
          l(x.durableStat.median.toFixed(2), W[1]!),
          l(`${x.durableStat.min.toFixed(2)}–${x.durableStat.max.toFixed(2)}`, W[2]!),
          l(x.exitStat.median.toFixed(2), W[3]!),
          l(x.cpuStat.median.toFixed(2), W[4]!),
          l(x.otherStat.median.toFixed(2), W[5]!),
          l(x.imageBytes !== undefined ? mibs(x.imageBytes) : '-', W[6]!),
          l((x.durableStat.median / med(`hand-${phase}`)).toFixed(3), W[7]!),
          l((x.durableStat.median / med(`dd-${phase}`)).toFixed(3), W[8]!),
          l((x.durableStat.median / med(`ocs-${phase}`)).toFixed(3), W[9]!),
        ].join(''),
      );
  const lb = (id: string) => r.ops.find((x) => x.id === id)!;
  const lbBytes = lb('lb-backup').imageBytes ?? NaN;
  const ocsBytes = lb('ocs-backup').imageBytes ?? NaN;
  lines.push(`image: Lifeboat ${lbBytes.toLocaleString('en')} bytes, Clonezilla ${ocsBytes.toLocaleString('en')} bytes (${(lbBytes - ocsBytes).toLocaleString('en')} bytes, ${fmtPct(lbBytes / ocsBytes - 1)}); Lifeboat's partition image ${r.sameImage ? 'is byte for byte' : 'is NOT'} the hand pipeline's`);
  lines.push(`Lifeboat's peak memory (sum of the resident sets of the CLI's process tree: node, partclone, zstd; sampled every 250 ms; median): backup ${mibs(peakRss(lb('lb-backup')))}, restore ${mibs(peakRss(lb('lb-restore')))}`);
  for (const id of ['lb-backup', 'lb-restore']) {
    lines.push(`Lifeboat ${id.slice(3)} timeline (median seconds since start at which each --json event arrived):`);
    for (const [k, v] of Object.entries(phases(lb(id)))) lines.push(`  ${v.toFixed(2).padStart(7)}  ${k}`);
  }
  return lines;
}

/** What the imager columns mean, printed once. */
export const imagerLegend = [
  'median s / min–max: wall seconds from start until the command exited and a following `sync` returned, i.e. until the data is on',
  '  disk (Lifeboat fsyncs its image files and syncs after a restore; the hand pipelines do neither). "to exit": without that sync.',
  "CPU s: user+system seconds of the command and all it started (median). other: host CPU seconds busy meanwhile that were not the command's",
  '  (writeback and loop kernel threads, and anyone else on the machine; large values mean a noisy host). ÷hand, ÷dd, ÷ocs: ratios of medians.',
  'hand: partclone.ext4 -c -a0 | zstd -T0 -3 (restore: zstd -dc | partclone.restore, table written beforehand). ocs: ocs-sr savedisk -q2 -j2 -z9p',
  '  (partclone with its default CRC | zstdmt -c -3) / restoredisk -j2 -scr, batch mode; its times include its own probing and table work.',
  'partclone leaves only on a tick of its progress timer (-f, default 2 s), so every partclone run is rounded up to ~2 s steps.',
];

// The benchmark's report: a table with medians, spreads and ratios, or JSON.
import { type DiskInfo } from './disk.js';
import { type Op, gib, median, mibs } from './measure.js';
import { type Args, TARGET_FACTOR } from './settings.js';

// ---------------------------------------------------------------- report

export interface Stat {
  median: number;
  min: number;
  max: number;
}
export const stats = (xs: number[]): Stat => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

export function report(args: Args, host: Record<string, unknown>, disk: DiskInfo, ops: Op[], totalSeconds: number, sameImage: boolean): void {
  const o = (id: string) => ops.find((x) => x.id === id)!;
  const rows = ops.map((x) => ({
    ...x,
    exitStat: stats(x.runs.map((r) => r.exit)),
    durableStat: stats(x.runs.map((r) => r.durable)),
    cpuStat: stats(x.runs.map((r) => r.cpu)),
    // Busy CPU of the host that was not the command's own: other users, and kernel threads (writeback, loop workers).
    otherStat: stats(x.runs.map((r) => r.hostBusy - r.cpu)),
  }));
  const row = (id: string) => rows.find((x) => x.id === id)!;
  const verdicts = (['backup', 'restore'] as const).map((phase) => {
    const lb = row(`lb-${phase}`);
    const hand = row(`hand-${phase}`);
    const dd = row(`dd-${phase}`);
    const ratio = lb.durableStat.median / hand.durableStat.median;
    return {
      phase,
      lifeboatSeconds: lb.durableStat.median,
      handSeconds: hand.durableStat.median,
      ddSeconds: dd.durableStat.median,
      ratioHand: ratio,
      ratioDd: lb.durableStat.median / dd.durableStat.median,
      ratioHandToExit: lb.exitStat.median / hand.exitStat.median,
      ratioHandCpu: lb.cpuStat.median / hand.cpuStat.median,
      pass: ratio <= 1 + TARGET_FACTOR,
      overBy: ratio - 1,
    };
  });
  // Lifeboat phase breakdown: median arrival time of each event.
  const phases = (id: string) => {
    const keys = Object.keys(o(id).runs[0]?.phases ?? {});
    return Object.fromEntries(keys.map((k) => [k, median(o(id).runs.map((r) => r.phases?.[k] ?? NaN))]));
  };
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'lifeboat-imager',
          target: `Lifeboat within ${TARGET_FACTOR * 100}% of the hand pipeline (wall time of the command plus a sync)`,
          machine: host,
          disk,
          reps: args.reps,
          totalSeconds,
          operations: rows.map((x) => ({
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
          lifeboatPhases: { backup: phases('lb-backup'), restore: phases('lb-restore') },
          verdicts,
          lifeboatImageEqualsHand: sameImage,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const p = (s: string, n: number) => s.padEnd(n);
  const l = (s: string, n: number) => s.padStart(n);
  const lines: string[] = [];
  lines.push('');
  lines.push(`Lifeboat imager benchmark — ${args.reps} rep(s) each, interleaved, cold page cache (sync; drop_caches 3) before every run`);
  lines.push(`machine: nproc ${host['nproc']} (${host['cpu']}), RAM ${gib(Number(host['memBytes']))}, kernel ${host['kernel']}, node ${host['node']}; work dir ${host['workDir']} on ${host['workDirFs']}`);
  lines.push(`tools:   ${host['partclone']}; ${host['zstd']}`);
  lines.push(`disk:    ${gib(disk.sizeBytes)} GPT, one ext4 partition: ${gib(disk.fsUsedBytes)} used of ${gib(disk.fsSizeBytes)} (${mibs(disk.written.randomBytes)} random, ${mibs(disk.written.textBytes)} log-like text, ${mibs(disk.written.repeatedBytes)} repetitive; ${disk.written.files} files)`);
  lines.push('');
  const W = [38, 9, 14, 9, 8, 8, 10, 7, 7];
  lines.push(`${p('operation', W[0]!)}${l('median s', W[1]!)}${l('min–max', W[2]!)}${l('to exit', W[3]!)}${l('CPU s', W[4]!)}${l('other', W[5]!)}${l('image', W[6]!)}${l('÷hand', W[7]!)}${l('÷dd', W[8]!)}  verdict`);
  lines.push('-'.repeat(W.reduce((a, b) => a + b, 0) + 34));
  for (const phase of ['backup', 'restore'] as const) {
    for (const x of rows.filter((r) => r.phase === phase)) {
      const v = verdicts.find((y) => y.phase === phase)!;
      const hand = row(`hand-${phase}`).durableStat.median;
      const dd = row(`dd-${phase}`).durableStat.median;
      const verdict = x.id.startsWith('lb-') ? (v.pass ? `PASS (${fmtPct(v.overBy)} vs hand)` : `MISS by ${fmtPct(v.overBy - TARGET_FACTOR)} (${fmtPct(v.overBy)} vs hand)`) : '';
      lines.push(
        [
          p(`${phase} ${x.label}`, W[0]!),
          l(x.durableStat.median.toFixed(2), W[1]!),
          l(`${x.durableStat.min.toFixed(2)}–${x.durableStat.max.toFixed(2)}`, W[2]!),
          l(x.exitStat.median.toFixed(2), W[3]!),
          l(x.cpuStat.median.toFixed(2), W[4]!),
          l(x.otherStat.median.toFixed(2), W[5]!),
          l(x.imageBytes !== undefined ? mibs(x.imageBytes) : '-', W[6]!),
          l((x.durableStat.median / hand).toFixed(3), W[7]!),
          l((x.durableStat.median / dd).toFixed(3), W[8]!),
          `  ${verdict}`,
        ].join(''),
      );
    }
  }
  lines.push('');
  lines.push('median s / min–max: wall seconds from start until the command exited and a following `sync` returned, i.e. until the data is on');
  lines.push('  disk (Lifeboat fsyncs its image files and syncs after a restore; the hand pipelines do neither). "to exit": without that sync.');
  lines.push('CPU s: user+system seconds of the command and all it started (median). other: host CPU seconds busy meanwhile that were not');
  lines.push('  the command\'s (writeback and loop kernel threads, and anyone else on the machine; large values mean a noisy host).');
  lines.push(`image: bytes written by the backup, read by the restore. ÷hand, ÷dd: ratios of the medians. Lifeboat's partition image ${sameImage ? 'is byte for byte' : 'is NOT'} the hand pipeline's.`);
  lines.push('Note: partclone leaves only on a tick of its progress timer (-f, default 2 s), so every partclone run is rounded up to ~2 s steps.');
  lines.push(`Target: Lifeboat within ${TARGET_FACTOR * 100}% of the hand pipeline (partclone.ext4 -c -a0 | zstd -T0 -3; restore: zstd -dc | partclone.restore).`);
  for (const v of verdicts)
    lines.push(
      `  ${v.phase}: Lifeboat/hand ${v.ratioHand.toFixed(3)} (to exit ${v.ratioHandToExit.toFixed(3)}, CPU ${v.ratioHandCpu.toFixed(3)}), Lifeboat/dd ${v.ratioDd.toFixed(3)} → ${v.pass ? 'PASS' : `MISS by ${fmtPct(v.overBy - TARGET_FACTOR)} beyond the 5% allowed`}`,
    );
  lines.push('');
  for (const id of ['lb-backup', 'lb-restore']) {
    lines.push(`Lifeboat ${id.slice(3)} timeline (median seconds since start at which each --json event arrived):`);
    for (const [k, v] of Object.entries(phases(id))) lines.push(`  ${v.toFixed(2).padStart(7)}  ${k}`);
  }
  lines.push('');
  lines.push(`bench total ${totalSeconds.toFixed(0)} s`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function fmtPct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}


// The ISO, guest-RAM and UI sections' reports: figures in words, and their targets.
import { type GuestRamResult } from './guest-ram.js';
import { type IsoResult } from './iso.js';
import { type Stat, stats } from './report.js';
import { targets } from './settings.js';
import { type TargetResult, atMost, reported } from './targets.js';
import { type UiResult } from './ui.js';

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB (${(n / 1024 ** 2).toFixed(0)} MiB, ${n.toLocaleString('en')} bytes)`;
const spread = (s: { median: number; min: number; max: number }) => `${s.median.toFixed(1)} s (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;

export function isoTargets(r: IsoResult): TargetResult[] {
  return [
    atMost('iso', 'iso-size', 'default ISO size', 'bytes', r.bytes, targets.isoBytes),
    atMost('iso', 'iso-cold-build', 'ISO cold build (empty cache)', 's', r.coldStat.median, targets.coldBuildSeconds),
    atMost('iso', 'iso-warm-build', 'ISO warm rebuild after an app-only change', 's', r.warmStat.median, targets.warmBuildSeconds),
    atMost('iso', 'iso-boot', 'boot to LIFEBOAT-READY (QEMU TCG, BIOS CD)', 's', r.bootStat.median, targets.bootSeconds),
  ];
}

export function isoText(r: IsoResult): string[] {
  const stageLine = (b: IsoResult['cold'][number]) => b.stages.map((s) => `${s.stage} ${s.seconds.toFixed(1)}`).join(', ');
  return [
    '',
    `ISO (the default config; \`lifeboat iso build --cache DIR --json\` from a scratch copy of the tree):`,
    `  size               ${mb(r.bytes)}`,
    `  cold build         ${spread(r.coldStat)} over ${r.cold.length} build(s) from an empty cache (${r.cold.at(-1)!.cacheNotes.join('; ')})`,
    `    stages (s): ${stageLine(r.cold.at(-1)!)}`,
    `  warm rebuild       ${spread(r.warmStat)} over ${r.warm.length} build(s), each after a change to the app (live/entry.ts); root reused every time`,
    `    stages (s): ${stageLine(r.warm.at(-1)!)}`,
    `  boot               ${spread(r.bootStat)} over ${r.bootSeconds.length} boot(s): QEMU start to LIFEBOAT-READY on the serial port (TCG, BIOS CD, ${r.bootMemoryMiB} MiB)`,
  ];
}

export function ramTargets(r: GuestRamResult): TargetResult[] {
  return [atMost('guest-ram', 'guest-ram', 'smallest guest RAM for unattended backup + restore', 'MiB', r.smallestMiB ?? Infinity, targets.guestRamMiB, r.smallestMiB === null ? `none of ${r.tries.map((t) => t.memoryMiB).join(', ')} MiB completed` : undefined)];
}

export function ramText(r: GuestRamResult): string[] {
  return [
    '',
    `Guest RAM (unattended lifeboat.job=backup then restore, QEMU TCG, ${(r.sourceUsedBytes / 1024 ** 2).toFixed(0)} MiB of files on a 512 MiB GPT/ext4 source; sizes tried upwards):`,
    ...r.tries.map(
      (t) =>
        `  ${String(t.memoryMiB).padStart(5)} MiB: backup ${t.backup.ok ? 'ok' : `failed (${t.backup.why})`} ${t.backup.seconds.toFixed(0)} s` +
        (t.restore ? `, restore ${t.restore.ok ? 'ok' : `failed (${t.restore.why})`} ${t.restore.seconds.toFixed(0)} s` : '') +
        (t.verified === undefined ? '' : t.verified ? ', every file restored' : ', restored files DIFFER'),
    ),
    `  smallest: ${r.smallestMiB === null ? 'none of the sizes tried' : `${r.smallestMiB} MiB`}`,
  ];
}

/** The UI section's figures: medians and spreads over the reps. Pure. */
export interface UiSummary {
  reps: number;
  diskUsedBytes: number;
  storeMiB: number;
  /** The UI's node process alone, and its whole tree (node, partclone, zstd, …), peak resident bytes. */
  nodePeakRssBytes: Stat;
  treePeakRssBytes: Stat;
  /** Enter on the summary to "Backup complete" (includes the UI's verification of the image). */
  seconds: Stat;
  verifySeconds: Stat;
  /** `lifeboat backup` (CLI) of the same disk, interleaved: its tree's peak and its time to exit. */
  cliPeakRssBytes: Stat;
  cliSeconds: Stat;
  runs: UiResult['ui'];
  cliRuns: UiResult['cli'];
}

export function uiSummary(r: Pick<UiResult, 'disk' | 'storeMiB' | 'ui' | 'cli'>): UiSummary {
  return {
    reps: r.ui.length,
    diskUsedBytes: r.disk.fsUsedBytes,
    storeMiB: r.storeMiB,
    nodePeakRssBytes: stats(r.ui.map((u) => u.nodePeakRssBytes)),
    treePeakRssBytes: stats(r.ui.map((u) => u.treePeakRssBytes)),
    seconds: stats(r.ui.map((u) => u.seconds)),
    verifySeconds: stats(r.ui.map((u) => u.verifySeconds ?? NaN)),
    cliPeakRssBytes: stats(r.cli.map((c) => c.peakRssBytes ?? NaN)),
    cliSeconds: stats(r.cli.map((c) => c.exit)),
    runs: r.ui,
    cliRuns: r.cli,
  };
}

const mib = (n: number) => n / 1024 ** 2;
const mibSpread = (s: Stat) => `${mib(s.median).toFixed(0)} MiB (${mib(s.min).toFixed(0)}–${mib(s.max).toFixed(0)})`;

/** The issue sets no limit on the UI's memory: the figure is reported beside the ISO's guest-RAM target, for scale. */
export const uiContext = `the issue sets none; for scale, the ISO must run a full backup + restore with ${targets.guestRamMiB} MiB of guest RAM`;

export function uiTargets(s: UiSummary): TargetResult[] {
  return [reported('ui', 'ui-peak-memory', 'peak memory of lifeboat ui during a backup (node)', 'MiB', mib(s.nodePeakRssBytes.median), `${uiContext}; whole tree ${mib(s.treePeakRssBytes.median).toFixed(0)} MiB`)];
}

export function uiText(s: UiSummary): string[] {
  return [
    '',
    `UI (\`lifeboat ui\` in tmux 80x25, keys through Back up a disk → the half-full disk (${(s.diskUsedBytes / 1024 ** 3).toFixed(2)} GiB used) → an ext4 store partition (${s.storeMiB} MiB disk) → zstd; ${s.reps} rep(s); RSS sampled every 250 ms; median (min–max)):`,
    `  peak RSS, the UI's node process       ${mibSpread(s.nodePeakRssBytes)}`,
    `  peak RSS, its tree (+partclone, zstd) ${mibSpread(s.treePeakRssBytes)}`,
    `  backup in the UI                      ${spread(s.seconds)}: Enter on the summary to "Backup complete", including its verification (${spread(s.verifySeconds)})`,
    `  for comparison, \`lifeboat backup\` (CLI), same disk, interleaved: peak RSS of its tree (bash, node, partclone, zstd) ${mibSpread(s.cliPeakRssBytes)}; ${spread(s.cliSeconds)} to exit, no verification`,
    `  no limit: ${uiContext}`,
  ];
}

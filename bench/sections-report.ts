// The ISO, guest-RAM and UI sections' reports: figures in words, and their targets.
import { type GuestRamResult } from './guest-ram.js';
import { type IsoResult } from './iso.js';
import { targets } from './settings.js';
import { type TargetResult, atMost, notMeasured } from './targets.js';

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
    `  warm rebuild       ${spread(r.warmStat)} over ${r.warm.length} build(s), each after a change to the app (builder/live/entry.ts); root reused every time`,
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

/** The UI rows: structure for issue 4's `lifeboat ui`, which this tree does not have yet. */
export function uiTargets(): TargetResult[] {
  return [notMeasured('ui', 'ui-peak-memory', 'peak memory of lifeboat ui during a backup', 'MiB', NaN, 'needs lifeboat ui (issue 4), not in this tree yet')];
}

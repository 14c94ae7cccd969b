// The repository section's report: medians per operation, the ratios the issue sets targets for, sizes. Pure.
import { type Op, gib, median, mibs } from './measure.js';
import { stats } from './report.js';
import type { RepositoryResult } from './repository.js';
import { targets } from './settings.js';
import { type TargetResult, atMost, fmtPct, reported } from './targets.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const seconds = (ops: Op[], id: string) => median(ops.find((o) => o.id === id)?.runs.map((r) => r.durable) ?? []);

/** The figures the targets and the text use, from the medians over the reps. */
export function repositoryFigures(r: Pick<RepositoryResult, 'ops' | 'repoBytes' | 'folderImageBytes'>) {
  const s = (id: string) => seconds(r.ops, id);
  const col = (i: number) => median(r.repoBytes.map((x) => x[i] ?? NaN));
  const [first, second, third] = [col(0), col(1), col(2)];
  const grown = (i: number) => median(r.repoBytes.map((x) => x[i]! - x[i - 1]!));
  const threeFolders = 3 * r.folderImageBytes;
  return {
    firstVsHand: s('lb-first') / s('hand-first'),
    secondVsHandFull: s('lb-second') / s('hand-second'),
    thirdVsHandFull: s('lb-third') / s('hand-third'),
    restoreVsHand: s('lb-restore') / s('hand-restore'),
    repoBytes: [first, second, third],
    growthSecondBytes: grown(1),
    growthThirdBytes: grown(2),
    growthSecondShare: grown(1) / first,
    growthThirdShare: grown(2) / first,
    threeFolderImagesBytes: threeFolders,
    repoVsThreeFolders: third / threeFolders,
  };
}

export function repositoryTargets(r: Pick<RepositoryResult, 'ops' | 'repoBytes' | 'folderImageBytes'>): TargetResult[] {
  const f = repositoryFigures(r);
  const s = 'repository';
  return [
    atMost(s, 'repo-first-backup-vs-hand', 'repository: first backup ÷ partclone | zstd', 'ratio', f.firstVsHand, targets.repoFirstBackupVsHand),
    atMost(s, 'repo-second-backup-vs-hand-full', 'repository: backup after ~1% change ÷ hand full backup', 'ratio', f.secondVsHandFull, targets.repoNextBackupVsHandFull),
    atMost(s, 'repo-second-growth', 'repository: growth of that backup ÷ first backup', 'ratio', f.growthSecondShare, targets.repoGrowthShare),
    atMost(s, 'repo-restore-vs-hand', 'repository: restore ÷ zstd -dc | partclone.restore', 'ratio', f.restoreVsHand, targets.repoRestoreVsHand),
    reported(s, 'repo-vs-three-folder-images', 'repository after 3 backups ÷ 3 folder images', 'ratio', f.repoVsThreeFolders, `${gib(f.repoBytes[2]!)} against 3 × ${gib(f.threeFolderImagesBytes / 3)}; saving ${pct(1 - f.repoVsThreeFolders)}`),
  ];
}

export function repositoryJson(r: RepositoryResult): Record<string, unknown> {
  return {
    disk: r.disk,
    operations: r.ops.map((o) => ({ id: o.id, phase: o.phase, label: o.label, command: o.command, seconds: stats(o.runs.map((x) => x.durable)), secondsToExit: stats(o.runs.map((x) => x.exit)), cpuSeconds: stats(o.runs.map((x) => x.cpu)), runs: o.runs })),
    repoBytes: r.repoBytes,
    handBytes: r.handBytes,
    changes: r.changes,
    folderImageBytes: r.folderImageBytes,
    figures: repositoryFigures(r),
    targets: repositoryTargets(r),
  };
}

export function repositoryText(r: RepositoryResult, reps: number): string[] {
  const f = repositoryFigures(r);
  const d = r.disk;
  const row = (id: string, vs?: string) => {
    const o = r.ops.find((x) => x.id === id)!;
    const st = stats(o.runs.map((x) => x.durable));
    const ratio = vs ? `  ×${(st.median / seconds(r.ops, vs)).toFixed(2)} of the hand run` : '';
    return `  ${o.label.padEnd(46)} ${st.median.toFixed(2).padStart(7)} s (${st.min.toFixed(2)}–${st.max.toFixed(2)})${ratio}`;
  };
  const ch = r.changes.map((c) => `round ${c.round}: ${mibs(c.changedBytes)} (${c.rewritten} files rewritten, ${c.removed} removed, ${c.added} added)`).join('; ');
  const hand = median(r.handBytes.map((x) => x[0]!));
  return [
    '',
    `Repository (restic, local folder, a new one each rep), disk "half": ${gib(d.fsUsedBytes)} used of ${gib(d.fsSizeBytes)}, a private copy per rep; ${reps} rep(s); seconds until the data is on disk`,
    `  changes between backups: ${ch}`,
    row('lb-first', 'hand-first'),
    row('hand-first'),
    row('lb-second', 'hand-second'),
    row('hand-second'),
    row('lb-third', 'hand-third'),
    row('hand-third'),
    row('lb-restore', 'hand-restore'),
    row('hand-restore'),
    `  repository (du -sb) after backups 1, 2, 3: ${f.repoBytes.map((b) => mibs(b)).join(', ')}; grown by ${mibs(f.growthSecondBytes)} (${fmtPct(f.growthSecondShare)} of the first) and ${mibs(f.growthThirdBytes)} (${fmtPct(f.growthThirdShare)})`,
    `  hand pipeline's file: ${mibs(hand)} each full backup; one Lifeboat folder image: ${mibs(r.folderImageBytes)}, three: ${mibs(f.threeFolderImagesBytes)}`,
    `  repository after three backups ÷ three folder images: ${f.repoVsThreeFolders.toFixed(3)} (saves ${mibs(f.threeFolderImagesBytes - f.repoBytes[2]!)}, ${pct(1 - f.repoVsThreeFolders)})`,
  ];
}

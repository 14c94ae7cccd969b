// Benchmark settings: the test disks, the targets, where things go, and the command-line arguments.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DISK_MIB = 4096;

/** The imager's test disks: the same 4 GiB GPT/ext4 layout, filled to two levels with the same mix of data. */
export interface DiskSpec {
  id: 'half' | 'quarter';
  /** Bump when the recipe changes: a cached disk of another version is rebuilt. */
  version: string;
  /** Share of every kind of data (random, text, repetitive) written: 1 is ~2 GiB, about half of the 4 GiB disk. */
  scale: number;
}
export const disks: readonly DiskSpec[] = [
  { id: 'half', version: 'v1-gpt-ext4-4g-half', scale: 1 },
  { id: 'quarter', version: 'v1-gpt-ext4-4g-quarter', scale: 0.5 },
];

/** The targets; each is reported with its margin, none fails the run. */
export const targets = {
  /** Lifeboat's backup and restore at most this much slower than the hand partclone | zstd pipeline. */
  handSlack: 0.05,
  /** Lifeboat's restore (with the SHA-256 check before the first write) at most this much slower than the hand pipeline. */
  restoreHandSlack: 0.1,
  /** Lifeboat's backup at most this share of the hand pipeline with partclone's default CRC checksum. */
  crcBackupShare: 0.75,
  /** Lifeboat's backup at most this share of `ocs-sr savedisk`'s time. */
  ocsBackupShare: 0.7,
  /** Lifeboat's backup at most this share of `dd | zstd`'s time on the 25%-full disk. */
  ddBackupShareQuarter: 0.35,
  /** The image no larger than Clonezilla's (ratio of bytes). */
  ocsImageShare: 1,
  isoBytes: 300 * 1000 * 1000,
  coldBuildSeconds: 5 * 60,
  warmBuildSeconds: 45,
  bootSeconds: 60,
  /** Guest RAM with which the ISO must complete an unattended backup and restore. */
  guestRamMiB: 768,
  /** Repository section: the first backup into a new restic repository at most this many times the hand pipeline's. */
  repoFirstBackupVsHand: 1.5,
  /** A backup after ~1% of the data changed at most this many times the hand pipeline's full backup. */
  repoNextBackupVsHandFull: 1,
  /** What that backup adds to the repository, at most this share of the first backup's stored size. */
  repoGrowthShare: 0.05,
  /** A restore from the repository at most this many times the hand restore. */
  repoRestoreVsHand: 1.5,
} as const;

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// LIFEBOAT_BENCH_CLI points at another build of the CLI (e.g. an older one, to measure a change before and after).
export const lifeboatBin = process.env['LIFEBOAT_BENCH_CLI'] ?? path.join(repoRoot, 'dist/bundle/lifeboat.mjs');

// ---------------------------------------------------------------- arguments

/** The parts of the benchmark, each runnable alone with --only (comma-separated). */
export const sections = ['imager', 'partitions', 'shrink', 'repository', 'iso', 'guest-ram', 'ui'] as const;
export type Section = (typeof sections)[number];

export interface Args {
  reps: number;
  json: boolean;
  rebuild: boolean;
  dir: string;
  only: Section[];
  /** Imager disks to run (--disk half,quarter). */
  disks: DiskSpec['id'][];
  /** ISO: cold builds to time (each from an empty cache, minutes each); default 2. */
  coldReps: number;
  /** Also write the JSON report to this file (the text report still goes to stdout). */
  save: string | undefined;
}

const usage = `usage: node dist/bench/main.js [--only ${sections.join('|')}[,…]] [--reps N] [--cold-reps N] [--disk half|quarter[,…]] [--json] [--save FILE] [--rebuild]
  imager:    backup and restore of the 4 GiB test disks (half and quarter full): Lifeboat, partclone | zstd, dd | zstd, ocs-sr
  partitions: backup, verify and restore of a 6-partition GPT disk: Lifeboat, and the same tools partition by partition
  shrink:    one image restored onto a disk of its size and with --shrink onto one half its size
  repository: three backups of the half-full disk into a new restic repository (~1% changed between them), and a
             restore from it, against partclone | zstd full backups and restore; the repository's size and growth
  iso:       the default ISO: cold build (empty cache), warm rebuild after an app-only change, size, boot to the entry point
  guest-ram: the smallest guest RAM (512, 768, 1024 MiB) with which the ISO runs an unattended backup and restore
  ui:        peak memory of lifeboat ui (in tmux, 80x25) during a backup of the half-full disk, beside lifeboat backup's
  --reps N: repetitions of each timed operation (default 3); --cold-reps N: cold ISO builds (default 2)
  --json: the report as JSON on stdout; --save FILE: the JSON report to FILE as well
  work dir: $LIFEBOAT_BENCH_DIR (default /var/tmp/lifeboat-bench); CLI: $LIFEBOAT_BENCH_CLI (default dist/bundle/lifeboat.mjs)
`;

function positive(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} wants a positive integer, not '${v}'`);
  return n;
}

function listOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T[] {
  const items = (v ?? '').split(',').filter(Boolean);
  const bad = items.filter((x) => !allowed.includes(x as T));
  if (items.length === 0 || bad.length > 0) throw new Error(`${flag} wants one or more of ${allowed.join(', ')}, not '${v}'`);
  return items as T[];
}

export function parseArgs(argv: string[]): Args {
  const args: Args = {
    reps: 3,
    json: false,
    rebuild: false,
    dir: process.env['LIFEBOAT_BENCH_DIR'] ?? '/var/tmp/lifeboat-bench',
    only: [...sections],
    disks: disks.map((d) => d.id),
    coldReps: 2,
    save: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = () => (eq > 0 ? a.slice(eq + 1) : argv[++i]);
    if (a === '--json') args.json = true;
    else if (a === '--rebuild') args.rebuild = true;
    else if (flag === '--reps') args.reps = positive(flag, value());
    else if (flag === '--cold-reps') args.coldReps = positive(flag, value());
    else if (flag === '--only') args.only = listOf(flag, value(), sections);
    else if (flag === '--save') args.save = value();
    else if (flag === '--disk') args.disks = listOf(flag, value(), disks.map((d) => d.id));
    else if (a === '--help' || a === '-h') {
      process.stdout.write(usage);
      process.exit(0);
    } else throw new Error(`unknown argument '${a}'`);
  }
  return args;
}

// Benchmark settings: what disk, which target, where, and the command-line arguments.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Bump when the disk recipe changes: a cached disk of another version is rebuilt.
export const DISK_VERSION = 'v1-gpt-ext4-4g-half';
export const DISK_MIB = 4096;
export const TARGET_FACTOR = 0.05; // Lifeboat may be at most 5% slower than the hand pipeline

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// LIFEBOAT_BENCH_CLI points at another build of the CLI (e.g. an older one, to measure a change before and after).
export const lifeboatBin = process.env['LIFEBOAT_BENCH_CLI'] ?? path.join(repoRoot, 'dist/cli/main.js');

// ---------------------------------------------------------------- arguments

export interface Args {
  reps: number;
  json: boolean;
  rebuild: boolean;
  dir: string;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { reps: 3, json: false, rebuild: false, dir: process.env['LIFEBOAT_BENCH_DIR'] ?? '/var/tmp/lifeboat-bench' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--rebuild') args.rebuild = true;
    else if (a === '--reps' || a.startsWith('--reps=')) {
      const v = a.includes('=') ? a.slice(7) : argv[++i];
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--reps wants a positive integer, not '${v}'`);
      args.reps = n;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node dist/bench/imager.js [--reps N] [--json] [--rebuild]\n  work dir: $LIFEBOAT_BENCH_DIR (default /var/tmp/lifeboat-bench); CLI: $LIFEBOAT_BENCH_CLI (default dist/cli/main.js)\n');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}'`);
  }
  return args;
}


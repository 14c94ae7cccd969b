// Clonezilla in the benchmark: `ocs-sr savedisk` / `restoredisk` with zstd (zstdmt -c -3, as zstd -T0 -3), batch
// mode, timed like the hand pipelines. The shims of test/fixtures/clonezilla-shim go first on PATH, as the
// acceptance tests do (test/helpers/clonezilla.ts): this host's kernel does not scan loop disks' partition tables.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Run, timed } from './measure.js';
import { q } from './process.js';
import { repoRoot } from './settings.js';

export const ocsSr = '/usr/sbin/ocs-sr';
const shimDir = path.join(repoRoot, 'test/fixtures/clonezilla-shim');

/** Lines that mean a step failed although ocs-sr exited with 0 (it often does); see test/helpers/clonezilla.ts. */
const failurePatterns = [/Failed to (save|restore)\b/i, /Program terminated/i, /failed to create partition table/i, /failed to save partition table/i, /Unable to find target (partition|disk)/i];

/** savedisk: partclone (-q2, Clonezilla's default CRC), hidden data after the MBR (-j2), zstdmt (-z9p), one file per partition, no checks. */
export function saveArgs(repo: string, image: string, disk: string): string[] {
  return ['-l', 'en_US.UTF-8', '-or', repo, '-q2', '-j2', '-z9p', '-i', '0', '-sfsck', '-scs', '-senc', '-nogui', '-batch', '-p', 'true', 'savedisk', image, disk];
}

/** restoredisk: the table from the image (-k0, the default), hidden data (-j2); no restorable check, EFI NVRAM, post-processing. */
export function restoreArgs(repo: string, image: string, disk: string): string[] {
  return ['-l', 'en_US.UTF-8', '-or', repo, '-j2', '-scr', '-iefi', '-irhr', '-ius', '-iui', '-nogui', '-batch', '-p', 'true', 'restoredisk', image, disk];
}

/** Runs ocs-sr with a cold cache, its output to logFile; throws if it exited non-zero or printed a failure. */
export async function timedOcs(argv: string[], logFile: string): Promise<Run> {
  // stdin from /dev/null: on an error ocs-sr `read`s an answer and must get EOF, not hang.
  const run = await timed(`PATH=${q(shimDir)}:"$PATH" ${[ocsSr, ...argv].map(q).join(' ')} </dev/null >${q(logFile)} 2>&1`);
  const lines = (await readFile(logFile, 'utf8')).split('\n');
  const bad = lines.findIndex((l) => failurePatterns.some((p) => p.test(l)));
  if (bad >= 0) throw new Error(`ocs-sr ${argv.join(' ')} printed:\n${lines.slice(Math.max(0, bad - 15), bad + 5).join('\n')}\n(log: ${logFile})`);
  return run;
}

/** ocs-sr restores onto a disk of another name through /tmp/<image>-tmp-cnvted, removed only when it succeeds. */
export async function removeConverted(image: string): Promise<void> {
  await rm(path.join('/tmp', `${image}-tmp-cnvted`), { recursive: true, force: true });
}

// Test helper: runs Debian's Clonezilla (ocs-sr savedisk / restoredisk) non-interactively on loop disks, with the
// shims of test/fixtures/clonezilla-shim first on PATH (see that directory); throws with the log's tail on failure.
import { execa } from 'execa';
import { access, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './cli.js';

export const shimDir = path.join(repoRoot, 'test/fixtures/clonezilla-shim');
export const ocsSr = '/usr/sbin/ocs-sr';

export type OcsCompression = 'zstd' | 'gzip' | 'xz';

/** ocs-sr's -z flags: zstdmt, pigz, xz -T0 (the parallel variants Clonezilla live uses). */
const compressFlag: Record<OcsCompression, string> = { zstd: '-z9p', gzip: '-z1p', xz: '-z5p' };

/**
 * Lines in ocs-sr's output that mean a step failed even when ocs-sr itself exits with 0 (it often does).
 * Not among them: "Failed to use partclone program to save or restore an image!". get_partclone_image_info prints it
 * when it cannot compute the speed from the report in /var/log/partclone.log, a path that ocs-sr hard-codes
 * (PARTCLONE_LOG in drbl-ocs.conf) and that is also partclone's default log, so any other partclone on the host
 * (Lifeboat's own, in a test running alongside) can overwrite it mid-run. ocs-sr ignores that result itself
 * (`[ $rc -eq 0 ] && rc=$?` keeps rc 0); a partclone that really failed gives "Failed to save partition …" or
 * "Failed to restore partition image file …", and the tests check every restored file anyway.
 */
const failurePatterns = [
  /Failed to (save|restore)\b/i,
  /Program terminated/i,
  /failed to create partition table/i,
  /failed to save partition table/i,
  /Unable to find target (partition|disk)/i,
  // The shims' own check (test/fixtures/clonezilla-shim/_reread.sh): a node that survived the re-read with its old
  // start or size would take ocs-sr's writes at the wrong offset.
  /partition nodes that do not match its table/,
];

export class OcsError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'OcsError';
  }
}

/** True if Clonezilla (ocs-sr) is installed (scripts/setup installs the clonezilla and drbl packages). */
export async function haveOcsSr(): Promise<boolean> {
  try {
    await access(ocsSr);
    return true;
  } catch {
    return false;
  }
}

export interface OcsResult {
  output: string;
  seconds: number;
}

function tailOf(output: string, lines = 60): string {
  return output.split('\n').slice(-lines).join('\n');
}

function runOcsSr(args: string[], shimLog: string | undefined): Promise<OcsResult> {
  return runOcsTool(ocsSr, ['-l', 'en_US.UTF-8', ...args], shimLog);
}

async function runOcsTool(command: string, argv: string[], shimLog: string | undefined): Promise<OcsResult> {
  const started = Date.now();
  const r = await execa(command, argv, {
    reject: false,
    stdin: { file: '/dev/null' }, // on an error ocs-sr `read`s an answer: it must get EOF, not hang
    all: true,
    env: {
      PATH: `${shimDir}:${process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
      ...(shimLog ? { SHIM_LOG: shimLog } : {}),
    },
    timeout: 15 * 60_000,
  });
  const output = String(r.all ?? '');
  const seconds = (Date.now() - started) / 1000;
  const lines = output.split('\n');
  const bad = lines.findIndex((l) => failurePatterns.some((p) => p.test(l)));
  if (r.exitCode !== 0 || r.timedOut || bad >= 0) {
    const why = r.timedOut ? 'timed out' : r.exitCode !== 0 ? `exited with ${r.exitCode ?? r.signal}` : `printed:\n${lines.slice(Math.max(0, bad - 15), bad + 5).join('\n')}\n…`;
    throw new OcsError(`${path.basename(command)} ${argv.join(' ')} ${why} after ${seconds.toFixed(1)} s; last lines:\n${tailOf(output)}`, output);
  }
  return { output, seconds };
}

/**
 * `ocs-sr savedisk`: saves the disk diskName (loopN, without /dev/) as repoDir/imageName, with partclone (-q2),
 * the hidden data after the MBR (-j2), no fsck/check/encryption, and -i <split MB> (0 = one file per partition).
 */
export async function ocsSaveDisk(repoDir: string, imageName: string, diskName: string, opts: { compress: OcsCompression; split?: number; shimLog?: string }): Promise<OcsResult> {
  await mkdir(repoDir, { recursive: true }); // ocs-sr refuses a repository directory that does not exist
  return runOcsSr(
    ['-or', path.resolve(repoDir), '-q2', '-j2', compressFlag[opts.compress], '-i', String(opts.split ?? 0), '-sfsck', '-scs', '-senc', '-nogui', '-batch', '-p', 'true', 'savedisk', imageName, diskName],
    opts.shimLog,
  );
}

/**
 * `ocs-sr restoredisk`: restores repoDir/imageName onto diskName (loopN, without /dev/): table from the image (-k0),
 * hidden data after the MBR (-j2); no restorable check (-scr), no EFI NVRAM, no post-processing that mounts or chroots.
 */
export async function ocsRestoreDisk(repoDir: string, imageName: string, diskName: string, opts: { shimLog?: string } = {}): Promise<OcsResult> {
  try {
    return await runOcsSr(['-or', path.resolve(repoDir), '-j2', '-scr', '-iefi', '-irhr', '-ius', '-iui', '-nogui', '-batch', '-p', 'true', 'restoredisk', imageName, diskName], opts.shimLog);
  } finally {
    // Restoring onto a disk of another name goes through a renamed copy (symlinks) that ocs-sr removes only when it succeeds.
    await rm(path.join('/tmp', `${imageName}-tmp-cnvted`), { recursive: true, force: true });
  }
}

/** `ocs-chkimg`: Clonezilla's own "is this image restorable" check (partclone.chkimg of every partition image). */
export async function ocsCheckImage(repoDir: string, imageName: string, opts: { shimLog?: string } = {}): Promise<OcsResult> {
  const r = await runOcsTool('/usr/sbin/ocs-chkimg', ['-b', '-nogui', '-or', path.resolve(repoDir), imageName], opts.shimLog);
  if (!/images of partition or LV devices in this image were checked and they are restorable/.test(r.output))
    throw new OcsError(`ocs-chkimg did not say that ${imageName} is restorable; last lines:\n${tailOf(r.output)}`, r.output);
  return r;
}

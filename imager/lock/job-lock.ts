// One writing job per disk and per image at a time on this host. Two rescue consoles (tty1 and the serial port), or
// the UI and a script, could otherwise restore onto a disk that another job is reading or writing, or start the
// same backup twice, the second removing the first's partial image. Each job holds a lock file per thing it uses
// in /run/lifeboat/locks (tmpfs: gone with a reboot), created exclusively; a lock whose process is gone (the same
// pid with the same start time, so a reused pid does not count) is taken over. Advisory: it guards Lifeboat's own
// jobs, not other tools.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { RefusedError } from '../../core/errors.js';
import { processStartTicks, stampAlive } from '../../core/process-identity.js';

export const defaultLockDir = '/run/lifeboat/locks';

export interface LockWant {
  /** What is locked, as a stable key (e.g. `disk:7:3`, `image:/mnt/store/pc`). */
  key: string;
  /** The same in words, for the refusal (e.g. "/dev/sda"). */
  what: string;
}

interface LockFile {
  pid: number;
  /** The process's start time in clock ticks after boot (field 22 of /proc/PID/stat). */
  startTicks: number;
  key: string;
  job: string;
  since: string;
}

export interface JobLocks {
  /** Removes this job's lock files (idempotent). */
  release(): Promise<void>;
}

function lockPath(dir: string, key: string): string {
  const readable = key.replace(/[^A-Za-z0-9._:-]+/g, '_').slice(0, 80);
  return path.join(dir, `${readable}.${createHash('sha256').update(key).digest('hex').slice(0, 12)}.lock`);
}

async function readLock(file: string): Promise<LockFile | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockFile;
  } catch {
    return undefined; // gone meanwhile, or written half by a process that died: stale either way
  }
}

function alive(l: LockFile): boolean {
  return stampAlive(`${l.pid}-${l.startTicks}`);
}

/** The lock key of a disk: its device number, the same whatever name or link it was reached by. */
export async function diskLockKey(device: string): Promise<string> {
  return `disk:${(await stat(device)).rdev}`;
}

/**
 * The lock key of an image directory (which need not exist yet): its folder's filesystem and inode and its name,
 * the same wherever that filesystem is mounted (the UI's /run/lifeboat/stores/sdb1, a script's /mnt/store).
 */
export async function imageLockKey(imageDir: string): Promise<string> {
  const parent = await stat(path.dirname(path.resolve(imageDir)));
  return `image:${parent.dev}:${parent.ino}:${path.basename(imageDir)}`;
}

/**
 * Takes every lock or none: refuses (RefusedError, exit 4) naming the job that holds one. `job` says what this job
 * is, for a refusal that another job gets.
 */
export async function takeJobLocks(wants: LockWant[], job: string, dir = process.env['LIFEBOAT_LOCK_DIR'] ?? defaultLockDir): Promise<JobLocks> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const me: Omit<LockFile, 'key'> = { pid: process.pid, startTicks: processStartTicks(process.pid) ?? 0, job, since: new Date().toISOString() };
  const held: string[] = [];
  const release = async () => {
    for (const file of held.splice(0)) {
      const l = await readLock(file);
      if (l && l.pid === me.pid && l.startTicks === me.startTicks) await unlink(file).catch(() => undefined);
    }
  };
  try {
    for (const want of wants) {
      const file = lockPath(dir, want.key);
      for (let attempt = 0; ; attempt++) {
        try {
          const fh = await open(file, 'wx', 0o644);
          try {
            await fh.writeFile(`${JSON.stringify({ ...me, key: want.key })}\n`);
          } finally {
            await fh.close();
          }
          held.push(file);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          const other = await readLock(file);
          if (other && alive(other)) {
            const who = other.pid === process.pid ? 'this process' : `pid ${other.pid}`;
            throw new RefusedError(`${want.what} is in use by another Lifeboat job: ${other.job} (${who}, since ${other.since})`, 'wait until that job has finished, or stop it; then try again');
          }
          // Stale: its process is gone. Remove it and try again (another job may win the race: then it is theirs).
          if (attempt >= 3) throw new RefusedError(`${want.what} is locked (${file}) and the lock could not be taken over`, `remove ${file} if no Lifeboat job runs`);
          // Only the stale lock we read goes, not one that another job took over meanwhile (a narrow race is left:
          // these locks guard against people, two consoles, not against a stampede of jobs).
          const again = await readLock(file);
          if (again && (again.pid !== other?.pid || again.startTicks !== other?.startTicks)) continue;
          await unlink(file).catch(() => undefined);
        }
      }
    }
  } catch (e) {
    await release();
    throw e;
  }
  return { release };
}

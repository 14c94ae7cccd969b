// Reading a mounted filesystem consistently by freezing it (fsfreeze, the FIFREEZE ioctl): writes to it wait while
// partclone reads it, and it is thawed as soon as partclone is through, whatever happens. partclone refuses a
// mounted device, so it reads the frozen filesystem through a read-only loop device over the partition, with
// direct I/O (the partition's page cache may hold blocks older than what the filesystem wrote around it).
//
// The plan decides (freezePlan, pure): only ext3/ext4, XFS and btrfs freeze; never the filesystem of / or /var (the
// journal, and this job's own output, would wait on it); only when the plan's estimate stays under the limit. The
// freeze is bounded twice: the job stops the read at `hardLimitFactor` times the limit, and a watchdog process of
// its own thaws the filesystem shortly after, should this process die while the filesystem is frozen.
import { RefusedError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';

/** Filesystems the kernel can freeze (their super_operations have freeze_fs) and partclone reads. */
export const freezableFs: ReadonlySet<string> = new Set(['ext3', 'ext4', 'xfs', 'btrfs']);

/** Mount points never frozen: the system's journal, its temporary files and this job's own output live there. */
export const neverFrozen: ReadonlySet<string> = new Set(['/', '/var', '/var/log', '/tmp', '/usr']);

/**
 * The rate the plan estimates a freeze with: what partclone with zstd reads onto a slow store (a USB 2 disk, a
 * 1 Gbit/s share with room to spare). The measured rate on this project's bench machine is about 4 times higher.
 */
export const freezeEstimateBytesPerSecond = 64 * 1024 * 1024;

/** The job stops a read that keeps a filesystem frozen longer than this many times the limit. */
export const hardLimitFactor = 3;

export type FreezeDecision = { ok: true; mountpoint: string; estimatedSeconds: number } | { ok: false; message: string; hint: string };

/** Whether a mounted filesystem may be read frozen, in the plan's words. */
export function freezePlan(p: { device: string; fsType: string | undefined; mountpoints: readonly string[]; usedBytes: number }, limitSeconds: number): FreezeDecision {
  const where = `${p.device} is mounted on ${p.mountpoints.join(', ')}`;
  const offline = 'image it from the Lifeboat stick, or schedule it with --mode offline';
  if (p.fsType === undefined || !freezableFs.has(p.fsType))
    return { ok: false, message: `${where} and ${p.fsType ?? 'its filesystem'} cannot be frozen (fsfreeze knows ext3, ext4, xfs and btrfs)`, hint: `unmount it, or ${offline}` };
  const system = p.mountpoints.find((m) => neverFrozen.has(m));
  if (system !== undefined)
    return { ok: false, message: `${where}: freezing ${system} would stop the system's journal and this job with it`, hint: `put it on LVM (an LVM snapshot reads it while it runs), or ${offline}` };
  const estimatedSeconds = Math.max(1, Math.ceil(p.usedBytes / freezeEstimateBytesPerSecond));
  if (estimatedSeconds > limitSeconds)
    return { ok: false, message: `${where}: reading its ${p.usedBytes} used bytes would keep it frozen about ${estimatedSeconds} s, over the ${limitSeconds} s limit`, hint: `raise --freeze-limit, put it on LVM (an LVM snapshot), or ${offline}` };
  return { ok: true, mountpoint: p.mountpoints[0]!, estimatedSeconds };
}

/** A frozen filesystem's read-only view: partclone reads `device`; `thaw` is idempotent and never throws. */
export interface FrozenRead {
  device: string;
  /** Aborted when the freeze has lasted hardLimitFactor × the limit: the read must stop. */
  overdue: AbortSignal;
  /** Seconds the filesystem has been frozen so far. */
  frozenSeconds(): number;
  thaw(): Promise<void>;
}

/**
 * Freezes the filesystem mounted at `mountpoint` (of `device`) and opens the read-only loop partclone reads; on any
 * failure in between, nothing stays frozen or attached.
 */
export async function freezeForRead(runner: Runner, device: string, mountpoint: string, limitSeconds: number): Promise<FrozenRead> {
  const hardMs = hardLimitFactor * limitSeconds * 1000;
  // The watchdog: a process of its own, outside this one, that thaws the filesystem a little after the hard limit
  // should this process be killed meanwhile (a normal thaw kills it first). fsfreeze -u of a thawed filesystem only fails.
  // Its sleep holds none of its pipes, and SIGTERM (a normal thaw) ends the sleep too: nothing of it stays behind.
  const watchdog = runner.start('sh', ['-c', 'sleep "$1" </dev/null >/dev/null 2>&1 & trap \'kill $! 2>/dev/null; exit 0\' TERM; wait $!; exec fsfreeze -u "$2"', 'lifeboat-thaw', String(Math.ceil(hardMs / 1000) + 5), mountpoint]);
  watchdog.done.catch(() => undefined);
  let frozenAt = 0;
  let loop: string | undefined;
  let thawed = false;
  const overdue = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const thaw = async () => {
    if (thawed) return;
    thawed = true;
    if (timer) clearTimeout(timer);
    if (loop !== undefined) await runner.run('losetup', ['-d', loop]).catch(() => undefined);
    if (frozenAt > 0) await runner.run('fsfreeze', ['-u', mountpoint]).catch(() => undefined);
    watchdog.child.kill('SIGTERM');
  };
  try {
    await runner.run('fsfreeze', ['-f', mountpoint], { hint: `${mountpoint} could not be frozen; unmount it or image it from the Lifeboat stick` });
    frozenAt = Date.now();
    timer = setTimeout(() => overdue.abort(), hardMs);
    loop = (await runner.run('losetup', ['--find', '--show', '--read-only', '--direct-io=on', device])).stdout.trim();
    if (!loop.startsWith('/dev/loop')) throw new RefusedError(`losetup gave no loop device for ${device}`, 'check that loop devices are free (losetup -a)');
    return { device: loop, overdue: overdue.signal, frozenSeconds: () => (Date.now() - frozenAt) / 1000, thaw };
  } catch (e) {
    await thaw();
    throw e;
  }
}

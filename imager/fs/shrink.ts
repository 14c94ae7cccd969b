// Shrinking a filesystem onto a smaller partition, one way per family, from a full-size staging copy of it.
import { lstat, readdir, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { Runner } from '../../core/runner/run.js';
import type { MountSpec } from './mount-options.js';
import { withMounted } from './mounted.js';

/**
 * What a shrink works on. `staging` is a file (sparse) holding the whole filesystem at its old size, made by the
 * caller (a restore: partclone.restore of the image; a clone: partclone -b of the source) and removed by it; the
 * shrinker may change it. `target` is the new, smaller partition, `bytes` its size.
 */
export interface ShrinkJob {
  staging: string;
  target: string;
  bytes: number;
}

export interface Shrinker {
  /** 'resize': the staging copy is made smaller, then its used blocks are copied; 'copy': a new filesystem is filled with its files. */
  way: 'resize' | 'copy';
  /** The plan's words for the way. */
  describe: string;
  /** The least size a filesystem of this type can have (XFS refuses to make one under 300 MiB). */
  floorBytes: number;
  shrink(runner: Runner, job: ShrinkJob): Promise<void>;
}

const MiB = 1024 * 1024;

/** Copies a filesystem's used blocks from one file or device to another (partclone's device-to-device mode). */
async function copyUsedBlocks(runner: Runner, tool: string, source: string, target: string, bytes: number): Promise<void> {
  // The staging copy is cut to the new size first: some partclone tools size the filesystem by its device or file.
  await truncate(source, bytes);
  // -O: overwrite; partclone refuses -o onto an existing regular file. partclone checks the target can hold the filesystem.
  await runner.run(`partclone.${tool}`, ['-b', '-a0', '-f', '1', '-s', source, '-O', target], { hint: 'partclone could not copy the shrunk filesystem onto its partition' });
}

/** Runs fn with file attached to a loop device (read-only when asked); the loop device is always detached. */
export async function withLoop<T>(runner: Runner, file: string, readOnly: boolean, fn: (device: string) => Promise<T>): Promise<T> {
  const { stdout } = await runner.run('losetup', ['--find', '--show', ...(readOnly ? ['--read-only'] : []), file]);
  const device = stdout.trim();
  try {
    return await fn(device);
  } finally {
    await runner.run('losetup', ['--detach', device]).catch(() => undefined);
  }
}


/** Every directory under root (root included, as '.') and its modification time in nanoseconds. */
export async function directoryTimes(root: string): Promise<Map<string, bigint>> {
  const times = new Map<string, bigint>();
  const walk = async (rel: string): Promise<void> => {
    const full = path.join(root, rel);
    times.set(rel, (await lstat(full, { bigint: true })).mtimeNs);
    for (const e of await readdir(full, { withFileTypes: true })) if (e.isDirectory()) await walk(path.join(rel, e.name));
  };
  await walk('.');
  return times;
}

/** `touch -h -m -d @S.N` argv lists that put back the times that changed: one per distinct time, directories after `--`. */
export function touchBackArgs(root: string, before: ReadonlyMap<string, bigint>, after: ReadonlyMap<string, bigint>): string[][] {
  const byTime = new Map<bigint, string[]>();
  for (const [rel, ns] of before) {
    const now = after.get(rel);
    if (now === undefined || now === ns) continue;
    byTime.set(ns, [...(byTime.get(ns) ?? []), path.join(root, rel)]);
  }
  const stamp = (ns: bigint) => `@${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
  return [...byTime].map(([ns, dirs]) => ['-h', '-m', '-d', stamp(ns), '--', ...dirs]);
}

/**
 * Runs resize on an ext staging copy and puts back the directories' modification times it changed: resize2fs moves
 * the inodes of the block groups it cuts and rewrites the entries of their directories, setting those directories'
 * mtimes to now (a restore or clone must keep them). The times are read before from a read-only mount (journal not
 * loaded) and put back through a read-write mount after, only for the directories whose time changed.
 */
async function keepingDirectoryTimes(runner: Runner, spec: MountSpec, staging: string, resize: () => Promise<void>): Promise<void> {
  const before = await withLoop(runner, staging, true, (loop) => withMounted(runner, 'shrink', spec, 'ro', loop, directoryTimes));
  await resize();
  await withLoop(runner, staging, false, (loop) =>
    // noatime: reading the directories must not change their access times either.
    withMounted(runner, 'shrink', { options: ['noatime'], noReplay: [] }, 'rw', loop, async (dir) => {
      for (const args of touchBackArgs(dir, before, await directoryTimes(dir))) await runner.run('touch', args);
    }),
  );
}

export function shrinkExt(tool: 'ext2' | 'ext3' | 'ext4', spec: MountSpec): Shrinker {
  return {
    way: 'resize',
    describe: 'e2fsck -f and resize2fs on a staging copy, then its used blocks copied (partclone -b)',
    floorBytes: 16 * MiB,
    async shrink(runner, job) {
      // resize2fs wants a freshly checked filesystem; e2fsck exits 1 when it fixed something, which is fine here.
      await runner.run('e2fsck', ['-f', '-y', job.staging], { okExitCodes: [1] });
      // -f: resize2fs's own minimum (-P) is pessimistic, often twice the used blocks; on a staging copy a failed
      // resize harms nothing, and the read-only check below proves the result before a byte goes to the target.
      await keepingDirectoryTimes(runner, spec, job.staging, async () => {
        await runner.run('resize2fs', ['-f', job.staging, `${Math.floor(job.bytes / 1024)}K`], { hint: 'the used data does not fit the smaller partition' });
      });
      await runner.run('e2fsck', ['-f', '-n', job.staging], { hint: 'the shrunk staging copy is not clean' });
      await copyUsedBlocks(runner, tool, job.staging, job.target, job.bytes);
    },
  };
}

export const shrinkNtfs: Shrinker = {
  way: 'resize',
  describe: 'ntfsresize on a staging copy, then its used clusters copied (ntfsclone)',
  floorBytes: 16 * MiB,
  async shrink(runner, job) {
    await runner.run('ntfsresize', ['--force', '--force', '--no-progress-bar', '--size', String(job.bytes), job.staging], { input: 'y\n', hint: 'the used data does not fit the smaller partition' });
    // ntfsclone, not partclone -b: partclone sizes NTFS by its device and refuses the volume ntfsresize marked for
    // Windows' check, and leaves the backup boot sector at the partition's end unwritten; ntfsclone writes it.
    // --force: the volume is marked for a check (Windows runs chkdsk once, as after any ntfsresize).
    await runner.run('ntfsclone', ['--force', '--overwrite', job.target, job.staging], { hint: 'ntfsclone could not copy the shrunk NTFS onto its partition' });
  },
};

export function shrinkBtrfs(spec: MountSpec): Shrinker {
  return {
    way: 'resize',
    describe: 'btrfs filesystem resize on a loop-mounted staging copy, then its used blocks copied (partclone -b)',
    floorBytes: 256 * MiB,
    async shrink(runner, job) {
      await withLoop(runner, job.staging, false, (loop) =>
        withMounted(runner, 'shrink', spec, 'rw', loop, (dir) => runner.run('btrfs', ['filesystem', 'resize', String(job.bytes), dir], { hint: 'the used data does not fit the smaller partition' })),
      );
      await copyUsedBlocks(runner, 'btrfs', job.staging, job.target, job.bytes);
    },
  };
}

/** The features of an XFS filesystem as xfs_info prints them (`crc=1`, `bsize=4096`, …), section by section. */
export function parseXfsInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let section = '';
  for (const line of text.split('\n')) {
    const head = /^(\S[^=]*?)\s*=/.exec(line);
    if (head) section = head[1]!.trim().split(/\s+/)[0]!;
    for (const m of line.matchAll(/([a-z][a-z0-9-]*)=(\S+?)(?:,|\s|$)/g)) {
      const key = `${section}.${m[1]}`;
      if (!(key in out)) out[key] = m[2]!;
    }
  }
  return out;
}

/** mkfs.xfs's options that give a new filesystem the features, block and inode sizes of the one xfs_info described. */
export function xfsMkfsOptions(info: Record<string, string>): string[] {
  const get = (k: string) => info[k];
  const list = (pairs: [string, string | undefined][]) => pairs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join(',');
  const m = list([['crc', get('meta-data.crc')], ['finobt', get('meta-data.finobt')], ['rmapbt', get('meta-data.rmapbt')], ['reflink', get('meta-data.reflink')], ['bigtime', get('meta-data.bigtime')], ['inobtcount', get('meta-data.inobtcount')]]);
  const i = list([['size', get('meta-data.isize')], ['sparse', get('meta-data.sparse')], ['nrext64', get('meta-data.nrext64')]]);
  const n = list([['ftype', get('naming.ftype')]]);
  const b = list([['size', get('data.bsize')]]);
  return [...(m ? ['-m', m] : []), ...(i ? ['-i', i] : []), ...(n ? ['-n', n] : []), ...(b ? ['-b', b] : [])];
}

/**
 * XFS cannot shrink: a new XFS with the staging copy's UUID, label and features is made on the target and filled
 * with rsync (owners, modes, ACLs, xattrs, hard links, sparse files, modification and access times).
 */
export function shrinkXfs(spec: MountSpec): Shrinker {
  return {
    way: 'copy',
    describe: 'a new XFS with the same UUID, label and features, filled by rsync -aHAXS --numeric-ids from a staging copy',
    floorBytes: 300 * MiB,
    async shrink(runner, job) {
      await withLoop(runner, job.staging, true, async (loop) => {
        const info = parseXfsInfo((await runner.run('xfs_info', [loop])).stdout);
        const uuid = /UUID = (\S+)/.exec((await runner.run('xfs_admin', ['-u', loop])).stdout)?.[1];
        const label = /label = "(.*)"/.exec((await runner.run('xfs_admin', ['-l', loop])).stdout)?.[1];
        const m = xfsMkfsOptions(info);
        // The UUID goes into -m with the features: mkfs.xfs takes one -m.
        const mi = m.indexOf('-m');
        if (uuid && mi >= 0) m[mi + 1] = `${m[mi + 1]},uuid=${uuid}`;
        else if (uuid) m.push('-m', `uuid=${uuid}`);
        await runner.run('mkfs.xfs', ['-f', '-q', ...m, ...(label ? ['-L', label] : []), job.target]);
        await withMounted(runner, 'shrink', spec, 'ro', loop, (from) =>
          withMounted(runner, 'shrink', spec, 'rw', job.target, (to) =>
            runner.run('rsync', ['-aHAXS', '--atimes', '--numeric-ids', `${from}/`, `${to}/`], { hint: 'copying the files onto the new XFS failed' }),
          ),
        );
      });
    },
  };
}

// Shrinking a filesystem to fit a smaller partition: the shape the smaller-disk issue fills (no filesystem has one yet).
import type { Runner } from '../../core/runner/run.js';

/**
 * How a filesystem becomes smaller. In place: resize2fs (ext2/3/4, unmounted, after e2fsck -f), ntfsresize (NTFS),
 * `btrfs filesystem resize` (btrfs, mounted). By copy: XFS cannot shrink, so a smaller filesystem is made and the
 * files copied (xfsdump | xfsrestore, or xfs_copy onto a smaller target), with its UUID and label put back.
 */
export interface Shrinker {
  how: 'in-place' | 'copy';
  /** The smallest size, in bytes, the filesystem on device can take (resize2fs -P, ntfsresize --info, btrfs min-dev-size). */
  minBytes(runner: Runner, device: string): Promise<number | undefined>;
  /** In place: shrinks the filesystem on device to bytes. By copy: fills target (bytes long) from source. */
  shrink(runner: Runner, job: { source: string; target: string; bytes: number }): Promise<void>;
}

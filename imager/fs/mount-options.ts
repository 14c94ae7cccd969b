// How each filesystem is mounted: its mount type, the options every mount needs, and those that keep a read-only
// mount from writing (no journal replay, no log clean-up), turned into mount's argv.

export interface MountSpec {
  /** mount -t TYPE where the kernel's own probe is not the driver to use (NTFS: the FUSE driver ntfs-3g). */
  type?: string;
  /** Options every mount needs besides ro/rw. */
  options: string[];
  /**
   * Options that stop a read-only mount from writing: `ro` alone still replays an ext3/4 journal and recovers and
   * cleans an XFS log (a search once rewrote ~514 log blocks of a source disk). Each needs ro.
   */
  noReplay: string[];
}

export type MountMode = 'ro' | 'rw';

/** mount's argv (without the program): a read-only mount gets the filesystem's no-replay options. */
export function mountArgv(spec: MountSpec, mode: MountMode, device: string, dir: string): string[] {
  const options = mode === 'ro' ? ['ro', ...spec.noReplay, ...spec.options] : ['rw', ...spec.options];
  return [...(spec.type ? ['-t', spec.type] : []), '-o', options.join(','), device, dir];
}

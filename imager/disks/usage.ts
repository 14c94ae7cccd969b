// Measures how many bytes a filesystem uses: by statfs where it is mounted, else offline by the filesystem's own tool.
import { check } from 'diskusage';
import type { Runner } from '../../core/runner/run.js';
import { fsRecord } from '../fs/registry.js';

/** Used bytes by statfs of a mount point, or undefined when it is gone or unreadable (unmounted while we looked). */
export async function mountedUsedBytes(mountpoint: string): Promise<number | undefined> {
  try {
    const u = await check(mountpoint);
    return u.total - u.free;
  } catch {
    // ENOENT, EACCES, ESTALE: mounts come and go while a listing runs; the listing survives and says "unknown".
    return undefined;
  }
}

/** Used bytes of the filesystem on device, or undefined when it cannot be measured. */
export async function usedBytes(runner: Runner, device: string, fsType: string | undefined, mountpoints: string[]): Promise<number | undefined> {
  const mp = mountpoints[0];
  if (mp) return mountedUsedBytes(mp);
  const probe = fsRecord(fsType).usage;
  if (!probe) return undefined;
  try {
    return await probe(runner, device);
  } catch {
    return undefined;
  }
}

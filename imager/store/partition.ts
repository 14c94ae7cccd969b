// A partition store: a filesystem on an attached disk, mounted through the Runner under /run/lifeboat/stores/<name>
// for the length of a job (read-only when the job only reads), always unmounted again by release().
import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Runner } from '../../core/runner/run.js';
import { localStore } from './folder.js';
import type { OpenedStore, StoreMode } from './store.js';

/** Where partition stores are mounted for a job (LIFEBOAT_STORES_DIR overrides it). */
export const storesRoot = process.env['LIFEBOAT_STORES_DIR'] ?? '/run/lifeboat/stores';

/** Filesystems a store can be, and the mount options each needs besides ro/rw. */
export const mountable: Record<string, { type?: string; options: string[] }> = {
  ext2: { options: [] },
  ext3: { options: [] },
  ext4: { options: [] },
  btrfs: { options: [] },
  vfat: { options: [] },
  exfat: { options: [] },
  // A copy of an XFS filesystem shares its UUID; XFS refuses to mount the second one without nouuid.
  xfs: { options: ['nouuid'] },
  ntfs: { type: 'ntfs-3g', options: [] },
};

export interface PartitionRef {
  /** /dev/sdb1, or LABEL=… / UUID=… (mount finds the device). */
  device: string;
  /** A folder inside the filesystem ('' for its top). */
  folder: string;
  fsType?: string | undefined;
  /** Where it is mounted already (by someone else): used as it is, not mounted again. */
  mountedAt?: string | undefined;
}

/** mount's argv (without the program) for a partition. */
export function mountArgs(device: string, fsType: string | undefined, mode: StoreMode, dir: string): string[] {
  const how = (fsType && mountable[fsType]) || { options: [] };
  return [...(how.type ? ['-t', how.type] : []), '-o', [mode === 'read' ? 'ro' : 'rw', ...how.options].join(','), device, dir];
}

/** The one place a store partition is mounted (the filesystem registry's safe read-only mount goes here). */
async function mountPartition(runner: Runner, ref: PartitionRef, mode: StoreMode, dir: string): Promise<void> {
  await runner.run('mount', mountArgs(ref.device, ref.fsType, mode, dir), { hint: `${ref.device}${ref.fsType ? ` (${ref.fsType})` : ''} could not be mounted` });
}

/** Mount points whose unmount failed (busy): unmountLeftovers() tries them again. */
const leftMounted = new Set<string>();

async function unmountStore(runner: Runner, dir: string): Promise<void> {
  try {
    await runner.run('umount', [dir]);
    leftMounted.delete(dir);
    await rmdir(dir).catch(() => undefined);
  } catch {
    leftMounted.add(dir); // busy: the Runner's log shows why; unmountLeftovers() tries again
  }
}

/** Unmounts the stores whose release could not unmount them (a face calls it when it closes; idempotent). */
export async function unmountLeftovers(runner: Runner): Promise<void> {
  for (const dir of [...leftMounted]) await unmountStore(runner, dir);
}

function mountDirFor(device: string): string {
  return path.join(storesRoot, device.replace(/^\/dev\//, '').replace(/[^A-Za-z0-9._-]+/g, '_'));
}

/** Mounts the partition (unless mounted already) and opens the folder in it as a store. */
export async function openPartitionStore(runner: Runner, ref: PartitionRef, mode: StoreMode): Promise<OpenedStore> {
  const folder = ref.folder.replace(/^\/+|\/+$/g, '');
  const describe = `${ref.device}${folder ? `:/${folder}` : ''}`;
  let unmount: (() => Promise<void>) | undefined;
  let top = ref.mountedAt;
  if (!top) {
    const dir = mountDirFor(ref.device);
    await mkdir(dir, { recursive: true });
    await mountPartition(runner, ref, mode, dir);
    top = dir;
    unmount = () => unmountStore(runner, dir);
  }
  try {
    const root = path.join(top, folder);
    if (folder && mode === 'write') await mkdir(root, { recursive: true });
    const describeImage = (name: string) => `${ref.device}:/${path.posix.join(folder, name)}`;
    return localStore(root, { describe, fsType: ref.fsType, mode, describeImage, ...(unmount ? { onRelease: unmount } : {}) });
  } catch (e) {
    await unmount?.();
    throw e;
  }
}

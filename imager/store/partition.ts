// A partition store: a filesystem on an attached disk, mounted through the Runner under /run/lifeboat/stores/<name>
// for the length of a job (read-only when the job only reads), always unmounted again by release().
import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { mountArgsFor, mountReadOnly } from '../fs/mount.js';
import { localStore } from './folder.js';
import type { OpenedStore, StoreMode } from './store.js';

/** Where partition stores are mounted for a job (LIFEBOAT_STORES_DIR overrides it). */
export const storesRoot = process.env['LIFEBOAT_STORES_DIR'] ?? '/run/lifeboat/stores';

export interface PartitionRef {
  /** /dev/sdb1, or LABEL=… / UUID=… (mount finds the device). */
  device: string;
  /** A folder inside the filesystem ('' for its top). */
  folder: string;
  fsType?: string | undefined;
  /** Where it is mounted already (by someone else): used as it is, not mounted again. */
  mountedAt?: string | undefined;
}

/** mount's argv (without the program) for a partition, options from the filesystem registry. */
export function mountArgs(device: string, fsType: string | undefined, mode: StoreMode, dir: string): string[] {
  return mountArgsFor(device, fsType, mode === 'read' ? 'ro' : 'rw', dir);
}

/** LABEL=… / UUID=… as the device it names, and the filesystem type blkid finds there when the caller did not say. */
async function resolvePartition(runner: Runner, ref: PartitionRef): Promise<{ device: string; fsType: string | undefined }> {
  const byTag = /^(LABEL|UUID)=(.+)$/.exec(ref.device);
  let device = ref.device;
  if (byTag) {
    // blkid -L/-U exits 2 when no filesystem has the label or UUID: the store's disk is not there (exit 3), not a tool failure.
    const found = await runner.run('blkid', [byTag[1] === 'LABEL' ? '-L' : '-U', byTag[2]!], { okExitCodes: [2] });
    device = found.stdout.trim().split('\n')[0]!.trim();
    if (found.exitCode === 2 || device === '') throw new NotFoundError(`no filesystem has ${ref.device}: is the store's disk attached?`, 'lifeboat disks lists the disks; blkid shows their labels and UUIDs');
  }
  if (ref.fsType) return { device, fsType: ref.fsType };
  const probed = await runner.run('blkid', ['-p', '-o', 'value', '-s', 'TYPE', device], { okExitCodes: [2] });
  return { device, fsType: probed.stdout.trim() || undefined };
}

/**
 * The one place a store partition is mounted. Only for reading: the device is set read-only and the filesystem
 * mounted without journal replay (imager/fs/mount.ts), so a restore's or a verify's store is never written.
 * Returns what unmounts it.
 */
async function mountPartition(runner: Runner, ref: PartitionRef, mode: StoreMode, dir: string): Promise<() => Promise<void>> {
  const { device, fsType } = await resolvePartition(runner, ref);
  const hint = `${ref.device}${fsType ? ` (${fsType})` : ''} could not be mounted`;
  if (mode === 'read') {
    const m = await mountReadOnly(runner, device, fsType, dir, hint);
    return () => m.release();
  }
  await runner.run('mount', mountArgs(device, fsType, mode, dir), { hint });
  return () => runner.run('umount', [dir]).then(() => undefined);
}

/** Mount points whose unmount failed (busy): unmountLeftovers() tries them again. */
const leftMounted = new Map<string, () => Promise<void>>();

async function unmountStore(dir: string, unmount: () => Promise<void>): Promise<void> {
  try {
    await unmount();
    leftMounted.delete(dir);
    await rmdir(dir).catch(() => undefined);
  } catch {
    leftMounted.set(dir, unmount); // busy: the Runner's log shows why; unmountLeftovers() tries again
  }
}

/** Unmounts the stores whose release could not unmount them (a face calls it when it closes; idempotent). */
export async function unmountLeftovers(): Promise<void> {
  for (const [dir, unmount] of [...leftMounted]) await unmountStore(dir, unmount);
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
    const undo = await mountPartition(runner, ref, mode, dir);
    top = dir;
    unmount = () => unmountStore(dir, undo);
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

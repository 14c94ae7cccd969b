// Mounts that write nothing: the block device is marked read-only first (blockdev --setro) and the filesystem mounted
// with ro plus its no-replay options, so no journal replay or log clean-up touches a disk that was only searched.
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Runner } from '../../core/runner/run.js';
import { mountArgv, type MountMode, type MountSpec } from './mount-options.js';
import { mountSpec } from './registry.js';

/** What an unknown filesystem type gets: plain ro (or rw), no options of its own. */
const plain: MountSpec = { options: [], noReplay: [] };

/** mount's argv (without the program) for device of fsType on dir, options from the registry. */
export function mountArgsFor(device: string, fsType: string | undefined, mode: MountMode, dir: string): string[] {
  return mountArgv(mountSpec(fsType) ?? plain, mode, device, dir);
}

/** A read-only mount; release() unmounts it and puts the device's ro flag back (idempotent; throws if busy). */
export interface ReadOnlyMount {
  dir: string;
  device: string;
  release(): Promise<void>;
}

// Read-only mounts of a device under way in this process, and whether the device was read-write before the first:
// the last release puts rw back, so two searches of one device do not undo each other's protection.
const holds = new Map<string, { count: number; wasRw: boolean }>();

/** Marks device read-only (blockdev --setro) for as long as it is held; holds of one device count up. */
export async function holdReadOnly(runner: Runner, device: string): Promise<void> {
  const held = holds.get(device);
  if (held) {
    held.count++;
    return;
  }
  const { stdout } = await runner.run('blockdev', ['--getro', device]);
  const wasRw = stdout.trim() === '0';
  holds.set(device, { count: 1, wasRw });
  if (wasRw) {
    try {
      await runner.run('blockdev', ['--setro', device]);
    } catch (e) {
      holds.delete(device);
      throw e;
    }
  }
}

/** Ends one hold: the last one puts the device back to read-write if it was so before the first. */
export async function letGo(runner: Runner, device: string): Promise<void> {
  const held = holds.get(device);
  if (!held) return;
  if (--held.count > 0) return;
  holds.delete(device);
  if (held.wasRw) await runner.run('blockdev', ['--setrw', device]);
}

/** Mounts device (a filesystem of fsType, as blkid names it) read-only on dir, writing nothing to it. */
export async function mountReadOnly(runner: Runner, device: string, fsType: string | undefined, dir: string, hint?: string): Promise<ReadOnlyMount> {
  await holdReadOnly(runner, device);
  try {
    await runner.run('mount', mountArgsFor(device, fsType, 'ro', dir), hint ? { hint } : {});
  } catch (e) {
    await letGo(runner, device);
    throw e;
  }
  let mounted = true;
  return {
    dir,
    device,
    async release() {
      if (mounted) {
        // Still mounted if this throws (busy): the device stays read-only until a later release succeeds.
        await runner.run('umount', [dir]);
        mounted = false;
        await letGo(runner, device);
      }
    },
  };
}

/** Runs fn with device mounted read-only on a fresh directory (or dir), always unmounted again afterwards. */
export async function withReadOnlyMount<T>(runner: Runner, device: string, fsType: string | undefined, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-ro-'));
  try {
    const m = await mountReadOnly(runner, device, fsType, dir);
    try {
      return await fn(dir);
    } finally {
      await m.release();
    }
  } finally {
    // rmdir, never a recursive rm: should the unmount have failed, the filesystem is still under dir.
    await rmdir(dir).catch(() => undefined);
  }
}

// Store partitions: which filesystems of the attached disks can hold images, and mounting one for the length of a
// job under /run/lifeboat/stores/<name> (through the Runner), always unmounted again in finally. A read-only mount
// (a search, a restore's or a verify's source) writes nothing: imager/fs/mount.ts.
import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Disk } from '../../imager/disks/probe.js';
import { mountArgsFor, mountReadOnly, type ReadOnlyMount } from '../../imager/fs/mount.js';
import { mountSpec } from '../../imager/fs/registry.js';
import type { Runner } from '../../core/runner/run.js';
import type { Store } from './port.js';

/** Where stores are mounted for a job (LIFEBOAT_STORES_DIR overrides it). */
export const storesRoot = process.env['LIFEBOAT_STORES_DIR'] ?? '/run/lifeboat/stores';

/** Every partition with a filesystem a store can be (the registry says how to mount it), the live medium left out. */
export function storesOf(disks: Disk[]): Store[] {
  return disks
    .filter((d) => !d.liveMedium)
    .flatMap((d) =>
      d.partitions
        .filter((p) => p.fs.type !== undefined && mountSpec(p.fs.type) !== undefined && !p.swapActive)
        .map((p) => ({
          device: p.device,
          disk: d.device,
          fsType: p.fs.type!,
          label: p.fs.label,
          sizeBytes: p.sizeBytes,
          usedBytes: p.usedBytes,
          mountedAt: p.mountpoints[0],
        })),
    );
}

/** mount's argv (without the program) for a store. */
export function mountArgs(store: Store, mode: 'ro' | 'rw', dir: string): string[] {
  return mountArgsFor(store.device, store.fsType, mode, dir);
}

/** Keeps track of what it mounted, so that close() can undo anything a crash in between left behind. */
export class StoreMounts {
  private readonly mounted = new Map<string, ReadOnlyMount | undefined>();
  constructor(private readonly runner: Runner) {}

  /** Runs fn with the store's directory: its own mount point if mounted already, else a fresh mount for fn only. */
  async with<T>(store: Store, mode: 'ro' | 'rw', fn: (dir: string) => Promise<T>): Promise<T> {
    if (store.mountedAt) return fn(store.mountedAt);
    const dir = path.join(storesRoot, path.basename(store.device));
    await mkdir(dir, { recursive: true });
    const hint = `${store.device} (${store.fsType}) could not be mounted`;
    if (mode === 'ro') this.mounted.set(dir, await mountReadOnly(this.runner, store.device, store.fsType, dir, hint));
    else {
      await this.runner.run('mount', mountArgs(store, mode, dir), { hint });
      this.mounted.set(dir, undefined);
    }
    try {
      return await fn(dir);
    } finally {
      await this.unmount(dir);
    }
  }

  private async unmount(dir: string): Promise<void> {
    try {
      const readOnly = this.mounted.get(dir);
      if (readOnly) await readOnly.release();
      else await this.runner.run('umount', [dir]);
      this.mounted.delete(dir);
      await rmdir(dir).catch(() => undefined);
    } catch {
      // busy: close() tries again; the log shows the failure
    }
  }

  /** Unmounts everything still mounted (idempotent). */
  async close(): Promise<void> {
    for (const dir of [...this.mounted.keys()]) await this.unmount(dir);
  }
}

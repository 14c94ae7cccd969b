// Store partitions for the screens: which filesystems of the attached disks can hold images, and each as the
// library's store reference (the library mounts it for a job and always unmounts it again).
import type { Disk } from '../../imager/disks/probe.js';
import { mountSpec } from '../../imager/fs/registry.js';
import type { StoreRef } from '../../imager/store/store.js';
import type { Store } from './port.js';

export { storesRoot } from '../../imager/store/partition.js';

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

/** The library's reference to a store partition: its top folder, mounted for the job unless mounted already. */
export function storeRef(store: Store): StoreRef {
  return { kind: 'partition', device: store.device, folder: '', fsType: store.fsType, mountedAt: store.mountedAt };
}

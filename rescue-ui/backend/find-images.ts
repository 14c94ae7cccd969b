// Describes each image a store's search found, for the screens (what it holds, or why it cannot be used).
import path from 'node:path';
import { openImage } from '../../imager/image/open.js';
import { encryptionOf } from '../../imager/crypt/clonezilla-info.js';
import { canGrow } from '../../imager/fs/registry.js';
import { lastPartition } from '../../imager/restore/plan.js';
import type { FoundImage } from './port.js';

/** Describes the image at root/rel; an image that cannot be opened is still listed, with the reason. */
export async function describeImage(store: string, root: string, rel: string): Promise<FoundImage> {
  try {
    // The UI has no passphrase screen yet: an encrypted image is listed with the way to restore it.
    if (await encryptionOf(path.join(root, rel))) throw new Error("encrypted (gocryptfs): this screen cannot ask for its passphrase yet; use the shell: lifeboat restore IMAGE DISK (it asks)");
    const image = await openImage(path.join(root, rel));
    const lastNumber = lastPartition(image)?.number;
    const last = image.partitions.find((p) => p.number === lastNumber);
    return {
      store,
      path: rel,
      origin: image.origin,
      diskName: image.diskName,
      tableType: image.table.type,
      requiredBytes: image.requiredBytes,
      imageBytes: image.partitions.reduce((n, p) => n + p.imageBytes, 0),
      createdAt: image.manifest?.createdAt,
      partitions: image.partitions.map((p) => ({ name: p.name, fsType: p.fsType, label: p.fsLabel, imageBytes: p.imageBytes, action: p.action })),
      last: last ? { name: last.name, fsType: last.fsType, fsGrows: last.fsType !== undefined && canGrow(last.fsType) } : undefined,
      problem: undefined,
    };
  } catch (e) {
    return { store, path: rel, origin: 'lifeboat', diskName: '?', tableType: '?', requiredBytes: 0, imageBytes: 0, createdAt: undefined, partitions: [], last: undefined, problem: (e as Error).message };
  }
}

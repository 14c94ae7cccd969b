// The used bytes of each partition an image saved with partclone: recorded in Lifeboat's manifest, or, for images
// without one (Clonezilla's, Rescuezilla's), read from the partclone header's used-block count.
import type { Runner } from '../../core/runner/run.js';
import type { Image } from '../image/open.js';
import { readPartcloneHeader } from '../image/partition-header.js';

export interface UsedBytes {
  /** Partition number -> bytes in use by its filesystem. */
  bytes: Map<number, number>;
  /** Where each number came from: the manifest, or the partclone header (used blocks x block size). */
  source: Map<number, 'manifest' | 'partclone header'>;
}

export async function usedBytesOf(runner: Runner, image: Image): Promise<UsedBytes> {
  const bytes = new Map<number, number>();
  const source = new Map<number, 'manifest' | 'partclone header'>();
  const recorded = new Map((image.manifest?.partitions ?? []).map((p) => [p.number, p.usedBytes]));
  for (const p of image.partitions) {
    if (p.action !== 'partclone') continue;
    const fromManifest = recorded.get(p.number);
    if (fromManifest !== undefined) {
      bytes.set(p.number, fromManifest);
      source.set(p.number, 'manifest');
      continue;
    }
    const header = await readPartcloneHeader(runner, p.files, image.codec);
    if (header) {
      bytes.set(p.number, header.usedBlocks * header.blockSize);
      source.set(p.number, 'partclone header');
    }
  }
  return { bytes, source };
}

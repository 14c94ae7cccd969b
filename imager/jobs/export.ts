// The export job: a backup in an image repository (restic:REPO#SNAPSHOT) becomes a folder image in Clonezilla's
// layout on a store. Open the destination -> refuse an existing image -> open the repository and pick the backup ->
// lock the image -> execute -> release both. Any face (the CLI today) only asks and shows.
import { RefusedError, UsageError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import type { Codec } from '../codec/codecs.js';
import type { EventSink } from '../events.js';
import { executeExport } from '../export/execute.js';
import type { Manifest } from '../image/manifest.js';
import { takeJobLocks } from '../lock/job-lock.js';
import { openRepositoryBackup } from '../repository/dump.js';
import type { ResticRef } from '../repository/uri.js';
import { fatSplitBytes } from './backup.js';
import { usingStore, type StoreArg } from './store-use.js';

export interface ExportJobRequest {
  /** The repository, and the backup in it: a snapshot id (or its prefix), or latest. */
  repository: ResticRef;
  snapshot: string;
  /** Where the image goes, and its name there (a new folder). */
  store: StoreArg;
  name: string;
  codec: Codec;
  level?: number | undefined;
  /** Split pieces; by default none, or FAT's limit on a FAT store. */
  splitBytes?: number | undefined;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

export interface ExportJobResult {
  /** The backup exported, restic:REPO#SNAPSHOT. */
  source: string;
  /** The image in the destination store's words. */
  image: string;
  manifest: Manifest;
}

export function exportJob(runner: Runner, req: ExportJobRequest): Promise<ExportJobResult> {
  return usingStore(runner, req.store, 'write', async (store) => {
    if (store.rawStreams) throw new UsageError(`export writes a folder image; ${store.describe} is an image repository`, 'give a new folder: lifeboat export restic:/srv/repo#1a2b3c4d /mnt/stick/pc');
    const image = store.describeImage(req.name);
    // Before the repository is opened: an existing image is never overwritten, and nothing is read for it.
    if (await store.hasImage(req.name)) throw new RefusedError(`${image} already exists; choose a new image name`, 'export into a folder that does not exist yet');
    const backup = await openRepositoryBackup(runner, req.repository, req.snapshot);
    try {
      const locks = await takeJobLocks([{ key: await store.lockKey(req.name), what: image }], `export of ${backup.describe} to ${image}`);
      try {
        const splitBytes = req.splitBytes ?? (store.fsType === 'vfat' ? fatSplitBytes : undefined);
        const level = req.level ?? req.codec.defaultLevel;
        const { manifest } = await executeExport({ backup, image, freeBytes: () => store.freeBytes(), codec: req.codec, level, splitBytes, startImage: () => store.startImage(req.name) }, runner, req.onEvent, req.signal);
        return { source: backup.describe, image, manifest };
      } finally {
        await locks.release();
      }
    } finally {
      await backup.release();
    }
  });
}

// Reading one backup out of a restic repository without a mount: the backup picked by #SNAPSHOT (or latest), its
// small files restored by `restic restore` into a private folder, and each partition stream as a `restic dump`
// command whose stdout is the stream (the export's pipeline source). Nothing here writes to the repository.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { InvalidImageError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import type { StreamCommand } from '../pipeline/stages.js';
import { openRestic, type Restic } from './restic.js';
import { imageFolder, type RepositoryImage } from './snapshots.js';
import { chooseImage, ensureRepository, listRepositoryImages } from './store.js';
import type { ResticRef } from './uri.js';

/** One backup in an opened repository; release() must run. */
export interface RepositoryBackup {
  readonly restic: Restic;
  readonly image: RepositoryImage;
  /** The backup in the user's words: restic:REPO#SNAPSHOT. */
  readonly describe: string;
  /** Restores the backup's small files (lifeboat.json among them) into a new private folder; fn reads them there. */
  withSmallFiles<T>(fn: (dir: string) => Promise<T>): Promise<T>;
  /** The command that prints one partition stream of the backup (its file name as the manifest has it). */
  dumpCommand(file: string): StreamCommand;
  release(): Promise<void>;
}

/** Opens the repository for reading (stale locks removed by restic's rule) and picks the backup that `name` names. */
export async function openRepositoryBackup(runner: Runner, ref: ResticRef, name: string): Promise<RepositoryBackup> {
  const restic = await openRestic(runner, ref);
  try {
    await ensureRepository(restic, 'read');
    await restic.run(['unlock']);
    const image = chooseImage(await listRepositoryImages(restic), name, ref.uri);
    return {
      restic,
      image,
      describe: `${ref.uri}#${image.snapshot}`,
      async withSmallFiles(fn) {
        const into = path.join(restic.privateDir, `small-${randomBytes(6).toString('hex')}`);
        try {
          // The manifest snapshot's tree holds image/… (store.ts publishes it from its staging folder).
          await restic.run(['restore', image.snapshot, '--target', into]);
          return await fn(path.join(into, imageFolder));
        } finally {
          await rm(into, { recursive: true, force: true });
        }
      },
      dumpCommand(file) {
        const snapshot = image.streams.get(file);
        if (!snapshot) throw new InvalidImageError(`${ref.uri}#${image.snapshot} has no stream snapshot of ${file}`, { file, hint: 'the backup set is incomplete; use another snapshot' });
        return { file, argv: restic.argv(['dump', snapshot, `/${file}`]), env: restic.env, explain: restic.explain };
      },
      release: () => restic.release(),
    };
  } catch (e) {
    await restic.release();
    throw e;
  }
}

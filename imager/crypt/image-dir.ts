// An image's plaintext folder for the jobs that read it (restore, verify, info): the image's own folder, or for an
// encrypted one (gocryptfs.info beside the tree) its plaintext view, mounted read-only with the passphrase asked of
// the source and always unmounted again, also when the job fails.
import { PassphraseError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import type { OpenedStore } from '../store/store.js';
import { encryptionOf } from './clonezilla-info.js';
import { openPlaintextView } from './gocryptfs.js';
import { checkedPassphrase, type PassphraseSource } from './passphrase.js';

export interface ImageDir {
  /** Where the job reads the image's files (plaintext). */
  dir: string;
  /** The image's folder on the store (the encrypted tree when encrypted): which disk holds the image is asked of it. */
  home: string;
  encrypted: boolean;
}

/** Runs fn with the image's plaintext folder; an encrypted image without a passphrase source is refused. */
export async function withImageDir<T>(runner: Runner, store: OpenedStore, image: string, passphrase: PassphraseSource | undefined, fn: (d: ImageDir) => Promise<T>): Promise<T> {
  const home = store.imagePath(image);
  if (!(await encryptionOf(home))) return fn({ dir: home, home, encrypted: false });
  const what = store.describeImage(image);
  if (!passphrase) throw new PassphraseError(`${what} is an encrypted image (gocryptfs): its passphrase is needed`, 'give the file that holds it with --passphrase-file FILE, or run on a terminal to type it');
  const view = await openPlaintextView(runner, home, checkedPassphrase(await passphrase(what), `for ${what}`), 'ro', what);
  try {
    return await fn({ dir: view.dir, home, encrypted: true });
  } finally {
    await view.release();
  }
}

// The verify and info jobs: open the store read-only -> read the image -> release.
import type { Runner } from '../../core/runner/run.js';
import { InvalidImageError } from '../../core/errors.js';
import type { EventSink } from '../events.js';
import { openImage, type Image } from '../image/open.js';
import { verifyImage, type VerifyReport } from '../verify/verify.js';
import { usingStore, type StoreArg } from './store-use.js';
import { withImageDir } from '../crypt/image-dir.js';
import type { PassphraseSource } from '../crypt/passphrase.js';

/** An encrypted image's file contents are checked through its plaintext view: a damaged encrypted block reads as an error. */
export function verifyJob(runner: Runner, req: { store: StoreArg; image: string; readData?: boolean; passphrase?: PassphraseSource | undefined; onEvent?: EventSink; signal?: AbortSignal }): Promise<VerifyReport & { store?: { ok: boolean; output: string } }> {
  return usingStore(runner, req.store, 'read', async (store) => {
    // A store with a check of its own (a repository's restic check; --read-data reads every pack) runs it first.
    let checked: { ok: boolean; output: string } | undefined;
    if (store.checkStore) {
      req.onEvent?.({ type: 'step', job: 'verify', message: `checking the store ${store.describe}${req.readData ? ' (reading all its data)' : ''}` });
      checked = await store.checkStore({ readData: req.readData === true });
      if (!checked.ok) throw new InvalidImageError(`the repository ${store.describe} is damaged: ${checkFailure(checked.output)}`, { hint: 'restic check found errors; restore from another snapshot or repository, or repair it with restic' });
    }
    const found = checked ? { store: checked } : {};
    return withImageDir(runner, store, req.image, req.passphrase, async (d) => ({ ...(await verifyImage(d.dir, runner, req.onEvent, req.signal)), ...(d.encrypted || store.rawStreams ? { image: store.describeImage(req.image) } : {}), encrypted: d.encrypted, ...found }));
  });
}

/** The line of restic check's output that names the damage (a pack), else its last meaningful line. */
function checkFailure(text: string): string {
  const pack = /^.*\bpack [0-9a-f]{8}.*$/im.exec(text)?.[0] ?? /^.*Pack ID does not match.*$/m.exec(text)?.[0];
  if (pack) return pack.trim();
  return text.trim().split('\n').filter((l) => l.trim() && !/^(using temporary cache|create exclusive lock|load indexes|check all packs|check snapshots|no errors were found|read all data|\[)/.test(l.trim())).slice(-1)[0]?.trim() ?? 'restic check failed';
}

/** What an image holds; its dir is the image in the store's words (the mount is gone once the job returns). */
export function infoJob(runner: Runner, req: { store: StoreArg; image: string; passphrase?: PassphraseSource | undefined }): Promise<Image & { encrypted: boolean }> {
  return usingStore(runner, req.store, 'read', (store) =>
    withImageDir(runner, store, req.image, req.passphrase, async (d) => ({ ...(await openImage(d.dir)), dir: store.describeImage(req.image), encrypted: d.encrypted })),
  );
}

// The verify and info jobs: open the store read-only -> read the image -> release.
import type { Runner } from '../../core/runner/run.js';
import type { EventSink } from '../events.js';
import { openImage, type Image } from '../image/open.js';
import { verifyImage, type VerifyReport } from '../verify/verify.js';
import { usingStore, type StoreArg } from './store-use.js';
import { withImageDir } from '../crypt/image-dir.js';
import type { PassphraseSource } from '../crypt/passphrase.js';

/** An encrypted image's file contents are checked through its plaintext view: a damaged encrypted block reads as an error. */
export function verifyJob(runner: Runner, req: { store: StoreArg; image: string; passphrase?: PassphraseSource | undefined; onEvent?: EventSink; signal?: AbortSignal }): Promise<VerifyReport> {
  return usingStore(runner, req.store, 'read', (store) =>
    withImageDir(runner, store, req.image, req.passphrase, async (d) => ({ ...(await verifyImage(d.dir, runner, req.onEvent, req.signal)), ...(d.encrypted ? { image: store.describeImage(req.image) } : {}), encrypted: d.encrypted })),
  );
}

/** What an image holds; its dir is the image in the store's words (the mount is gone once the job returns). */
export function infoJob(runner: Runner, req: { store: StoreArg; image: string; passphrase?: PassphraseSource | undefined }): Promise<Image & { encrypted: boolean }> {
  return usingStore(runner, req.store, 'read', (store) =>
    withImageDir(runner, store, req.image, req.passphrase, async (d) => ({ ...(await openImage(d.dir)), dir: store.describeImage(req.image), encrypted: d.encrypted })),
  );
}

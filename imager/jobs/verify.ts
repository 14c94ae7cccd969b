// The verify and info jobs: open the store read-only -> read the image -> release.
import type { Runner } from '../../core/runner/run.js';
import type { EventSink } from '../events.js';
import { openImage, type Image } from '../image/open.js';
import { verifyImage, type VerifyReport } from '../verify/verify.js';
import { usingStore, type StoreArg } from './store-use.js';

export function verifyJob(runner: Runner, req: { store: StoreArg; image: string; onEvent?: EventSink; signal?: AbortSignal }): Promise<VerifyReport> {
  return usingStore(runner, req.store, 'read', (store) => verifyImage(store.imagePath(req.image), runner, req.onEvent, req.signal));
}

/** What an image holds; its dir is the image in the store's words (the mount is gone once the job returns). */
export function infoJob(runner: Runner, req: { store: StoreArg; image: string }): Promise<Image> {
  return usingStore(runner, req.store, 'read', async (store) => ({ ...(await openImage(store.imagePath(req.image))), dir: store.describeImage(req.image) }));
}

// A job's store: opened by the job from a reference (and always released), or given opened by a caller who owns it.
import type { Runner } from '../../core/runner/run.js';
import { openStore } from '../store/open.js';
import type { OpenedStore, StoreMode, StoreRef } from '../store/store.js';

export type StoreArg = StoreRef | OpenedStore;

function isOpened(s: StoreArg): s is OpenedStore {
  return 'release' in s;
}

/** fn's failure as the store tells it (a network store lost mid-job names itself). */
async function explained<T>(store: OpenedStore, fn: (s: OpenedStore) => Promise<T>): Promise<T> {
  try {
    return await fn(store);
  } catch (e) {
    throw store.explainFailure ? await store.explainFailure(e) : e;
  }
}

/** Runs fn with the store open; a store the job opened is released whatever happens. */
export async function usingStore<T>(runner: Runner, store: StoreArg, mode: StoreMode, fn: (s: OpenedStore) => Promise<T>): Promise<T> {
  if (isOpened(store)) return explained(store, fn);
  const opened = await openStore(runner, store, mode);
  try {
    return await explained(opened, fn);
  } finally {
    await opened.release();
  }
}

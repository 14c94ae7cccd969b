// Opening a store by kind, and reading a store from words: a folder (/mnt/stick), a partition (/dev/sdb1), a
// partition and a folder in it (/dev/sdb1:/images, LABEL=BACKUPS:/images, as the kernel command line has it), or a
// store URI (ssh://user@host[:port]/path, parsed in uri.ts; smb:// and nfs:// are the next kinds).
import { statfs } from 'node:fs/promises';
import type { Runner } from '../../core/runner/run.js';
import { openFolderStore } from './folder.js';
import { openPartitionStore } from './partition.js';
import { looksLikePartitionPlace, parsePartitionPlace } from './place.js';
import { UsageError } from '../../core/errors.js';
import { openSshStore } from './ssh.js';
import { openResticStore } from '../repository/store.js';
import { isRepositoryUri, parseRepositoryUri } from '../repository/uri.js';
import type { OpenedStore, StoreMode, StoreRef } from './store.js';
import { isStoreUri, parseStoreUri, type StoreAccess } from './uri.js';

/** The store that the words name; `access` carries what network stores need (the SSH key, known_hosts). */
export function parseStoreRef(text: string, access: StoreAccess = {}): StoreRef {
  if (isRepositoryUri(text)) return parseRepositoryUri(text, access);
  if (isStoreUri(text)) return parseStoreUri(text, access);
  if (!looksLikePartitionPlace(text) && !text.startsWith('/dev/')) return { kind: 'folder', path: text };
  const place = parsePartitionPlace(text);
  if (place === undefined) return { kind: 'folder', path: text };
  if ('error' in place) throw new UsageError(`the store ${text}: ${place.error}`, 'give a folder, a partition (/dev/sdb1, LABEL=NAME), a folder in one (LABEL=NAME:/images) or ssh://user@host/path');
  return { kind: 'partition', device: place.device, folder: place.inside ? `/${place.inside}` : '' };
}

/** FAT's magic in statfs (MSDOS_SUPER_MAGIC): such a store cannot hold a file of 4 GiB. */
const msdosMagic = 0x4d44;

async function fatOrUnknown(root: string): Promise<string | undefined> {
  try {
    return (await statfs(root)).type === msdosMagic ? 'vfat' : undefined;
  } catch {
    return undefined;
  }
}

/** Opens a store; release() of the result must run, whatever happens (try/finally). */
export async function openStore(runner: Runner, ref: StoreRef, mode: StoreMode): Promise<OpenedStore> {
  if (ref.kind === 'restic') return openResticStore(runner, ref, mode);
  const opened = ref.kind === 'folder' ? await openFolderStore(ref.path, mode) : ref.kind === 'ssh' ? await openSshStore(runner, ref, mode) : await openPartitionStore(runner, ref, mode);
  if (opened.fsType !== undefined) return opened;
  const fsType = await fatOrUnknown(opened.root);
  return fsType ? { ...opened, fsType } : opened;
}

/** Runs fn with the opened store and always releases it. */
export async function withStore<T>(runner: Runner, ref: StoreRef, mode: StoreMode, fn: (store: OpenedStore) => Promise<T>): Promise<T> {
  const store = await openStore(runner, ref, mode);
  try {
    return await fn(store);
  } finally {
    await store.release();
  }
}

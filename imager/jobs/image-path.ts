// The CLI's image arguments (an image folder's path, or a store URI of one) as a store and a name: the folder
// holding it, and its name.
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { StoreRef } from '../store/store.js';
import { isStoreUri, parseStoreUri, type StoreAccess } from '../store/uri.js';
import { isRepositoryUri, parseRepositoryUri, splitSnapshot } from '../repository/uri.js';

/** An image path as a store and the image's name in it; a repository's image is a snapshot (REPO#SNAPSHOT; latest by default). */
export function storeOfImagePath(imageDir: string, access: StoreAccess = {}): { store: StoreRef; image: string } {
  if (isRepositoryUri(imageDir)) {
    const { repo, snapshot } = splitSnapshot(imageDir);
    return { store: parseRepositoryUri(repo, access), image: snapshot ?? 'latest' };
  }
  if (isStoreUri(imageDir)) {
    const ref = parseStoreUri(imageDir, access);
    if (ref.path === '/') throw new UsageError(`${imageDir} names no image: give the image's folder, e.g. ssh://user@host/srv/images/pc`);
    return { store: { ...ref, path: path.posix.dirname(ref.path) }, image: path.posix.basename(ref.path) };
  }
  const full = path.resolve(imageDir);
  return { store: { kind: 'folder', path: path.dirname(full) }, image: path.basename(full) };
}

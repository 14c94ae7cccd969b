// The CLI's image arguments (an image folder's path, or a store URI of one) as a store and a name: the folder
// holding it, and its name. The forms are backup's store argument's with the image's folder at the end: a path, a
// folder in a partition (LABEL=STICK:/images/pc), an ssh:// URI, a repository's restic:REPO#SNAPSHOT.
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { StoreRef } from '../store/store.js';
import { looksLikePartitionPlace, parsePartitionPlace } from '../store/place.js';
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
  // A folder in a partition, as backup's store argument takes it: LABEL=STICK:/images/pc, /dev/sdb1:/pc.
  if (looksLikePartitionPlace(imageDir)) {
    const place = parsePartitionPlace(imageDir);
    if (place !== undefined && 'error' in place) throw new UsageError(`the image ${imageDir}: ${place.error}`);
    if (place === undefined || place.inside === '') throw new UsageError(`${imageDir} names no image: give the image's folder in the partition, e.g. LABEL=STICK:/images/pc`);
    const parent = path.posix.dirname(place.inside);
    return { store: { kind: 'partition', device: place.device, folder: parent === '.' ? '' : `/${parent}` }, image: path.posix.basename(place.inside) };
  }
  const full = path.resolve(imageDir);
  return { store: { kind: 'folder', path: path.dirname(full) }, image: path.basename(full) };
}

// The images job: every image on a store (a folder, a partition, an SSH server), opened read-only: its name, when
// it was saved, the source disk, its size on the store, and whether it is complete. Partial images (a backup that
// did not finish) are listed too, as incomplete, so a person sees what a dropped job left.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Runner } from '../../core/runner/run.js';
import { readManifest } from '../image/manifest.js';
import { encryptionOf, gocryptfsInfoFile, parseGocryptfsInfo } from '../crypt/clonezilla-info.js';
import { manifestFile } from '../image/layout.js';
import type { OpenedStore } from '../store/store.js';
import { usingStore, type StoreArg } from './store-use.js';

export interface StoreImage {
  /** The image's name (path) inside the store, as restore/verify/info take it. */
  name: string;
  /** The image in the store's words (/dev/sdb1:/pc-…, ssh://…/pc-…). */
  image: string;
  origin: 'lifeboat' | 'clonezilla';
  /** When it was saved: the manifest's time, or (Clonezilla's) the time its files were last written. */
  time: string | undefined;
  /** The source disk's kernel name. */
  disk: string | undefined;
  /** Bytes of its files on the store. */
  sizeBytes: number;
  /** true: complete; false: in-progress or partial; undefined: a Clonezilla image (no manifest says). */
  complete: boolean | undefined;
  /** A repository's images: the disk's identity (what retention groups by) and the new data each backup added. */
  identity?: string | undefined;
  addedBytes?: number | undefined;
  /**
   * complete, complete-with-unreadable-sectors (--rescue), in-progress, partial (a backup that did not finish), damaged
   * (an unreadable manifest), encrypted (its manifest is inside the encryption: known with the passphrase only), or unknown.
   */
  state: 'complete' | 'complete-with-unreadable-sectors' | 'in-progress' | 'partial' | 'damaged' | 'encrypted' | 'unknown';
  /** Encrypted with gocryptfs (Clonezilla's layout: gocryptfs.info beside the tree). */
  encrypted: boolean;
}

/** Bytes of the files in a directory and its latest write time. */
async function sizeAndTime(dir: string): Promise<{ bytes: number; mtime: Date | undefined }> {
  let bytes = 0;
  let mtime: Date | undefined;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!e.isFile()) continue;
    const s = await stat(path.join(dir, e.name)).catch(() => undefined);
    if (!s) continue;
    bytes += s.size;
    if (!mtime || s.mtime > mtime) mtime = s.mtime;
  }
  return { bytes, mtime };
}

/**
 * An encrypted image, told without its passphrase: what gocryptfs.info says (the disk, saved when) and the file
 * names (gocryptfs -plaintextnames, Clonezilla's way: lifeboat.json marks Lifeboat's own).
 */
async function describeEncrypted(base: { name: string; image: string; sizeBytes: number }, dir: string, partial: boolean, mtime: Date | undefined): Promise<StoreImage> {
  const infoPath = path.join(dir, gocryptfsInfoFile);
  const info = parseGocryptfsInfo(await readFile(infoPath, 'utf8').catch(() => ''));
  const saved = await stat(infoPath).then((s) => s.mtime, () => mtime);
  const origin = (await stat(path.join(dir, manifestFile)).then(() => true, () => false)) ? 'lifeboat' : 'clonezilla';
  return { ...base, origin, time: saved?.toISOString(), disk: info.disks[0], complete: partial ? false : undefined, state: partial ? 'partial' : 'encrypted', encrypted: true };
}

async function describeImage(store: OpenedStore, name: string, dirInStore: string, partial: boolean): Promise<StoreImage> {
  const dir = store.imagePath(dirInStore);
  const { bytes, mtime } = await sizeAndTime(dir);
  const base = { name, image: store.describeImage(partial ? dirInStore : name), sizeBytes: bytes, encrypted: false };
  if (await encryptionOf(dir)) return describeEncrypted(base, dir, partial, mtime);
  let manifest;
  try {
    manifest = await readManifest(dir);
  } catch {
    return { ...base, origin: 'lifeboat', time: mtime?.toISOString(), disk: undefined, complete: false, state: 'damaged' };
  }
  if (manifest) {
    const state = partial ? 'partial' : manifest.state;
    return { ...base, origin: 'lifeboat', time: manifest.createdAt, disk: manifest.source.name, complete: state === 'complete' || state === 'complete-with-unreadable-sectors', state };
  }
  const disk = (await readFile(path.join(dir, 'disk'), 'utf8').catch(() => '')).trim().split(/\s+/)[0] || undefined;
  if (partial) return { ...base, origin: 'lifeboat', time: mtime?.toISOString(), disk, complete: false, state: 'partial' };
  return { ...base, origin: 'clonezilla', time: mtime?.toISOString(), disk, complete: undefined, state: 'unknown' };
}

/** The images on a store, sorted by name; partial ones after their name's complete one. */
export function imagesJob(runner: Runner, req: { store: StoreArg }): Promise<StoreImage[]> {
  return usingStore(runner, req.store, 'read', async (store) => {
    // A store that knows its images itself (a repository's snapshots) lists them, newest first.
    if (store.reader.describeImages)
      return (await store.reader.describeImages()).map((i) => ({ name: i.name, image: i.image, origin: 'lifeboat' as const, time: i.time, disk: i.disk, sizeBytes: i.sizeBytes, complete: i.complete, state: i.complete ? ('complete' as const) : ('partial' as const), encrypted: false, identity: i.identity, addedBytes: i.addedBytes }));
    const out: StoreImage[] = [];
    for (const name of await store.reader.listImages()) out.push(await describeImage(store, name, name, false));
    for (const p of await store.reader.listPartialImages()) out.push(await describeImage(store, p.name, p.dir, true));
    return out.sort((a, b) => a.name.localeCompare(b.name) || Number(a.state === 'partial') - Number(b.state === 'partial'));
  });
}

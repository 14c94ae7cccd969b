// A folder store: a local POSIX directory (a mounted stick, a folder on a host). Also the base of every store that
// ends as a local directory (an attached partition once mounted).
import { check } from 'diskusage';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { NotFoundError } from '../../core/errors.js';
import { diskHolding } from '../backup/prepare.js';
import { imageLockKey } from '../lock/job-lock.js';
import { scanForImages, scanForPartialImages } from './scan.js';
import type { ImageWriter, OpenedStore, StoreMode } from './store.js';

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The folder itself, or (not made yet: a dry run) the nearest one above it that exists. */
async function existingAncestor(dir: string): Promise<string> {
  let d = dir;
  while (!(await exists(d)) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

/** The partial name of an image: hidden, so no search lists it. */
export function partialName(name: string): string {
  return path.join(path.dirname(name), `.${path.basename(name)}.lifeboat-partial`);
}

/** An image writer into a local directory: files under the partial folder, published by rename. */
export async function localImageWriter(root: string, name: string): Promise<ImageWriter> {
  const final = path.join(root, name);
  const partialDir = path.join(root, partialName(name));
  await mkdir(path.dirname(final), { recursive: true });
  // A partial image of an earlier, interrupted run of the same backup is ours to replace.
  await rm(partialDir, { recursive: true, force: true });
  await mkdir(partialDir, { recursive: true });
  let published = false;
  return {
    name,
    partialDir,
    // A file in a folder of the image (lifeboat-config/sda2/etc.tar) gets its folders.
    writeFile: async (file, data) => {
      await mkdir(path.dirname(path.join(partialDir, file)), { recursive: true });
      await writeFile(path.join(partialDir, file), data);
    },
    createWriteStream: async (file): Promise<Writable> => createWriteStream(path.join(partialDir, file), { flags: 'wx' }),
    async publish() {
      await fsyncDir(partialDir);
      await rename(partialDir, final);
      await fsyncDir(path.dirname(final));
      published = true;
    },
    async abort() {
      if (!published) await rm(partialDir, { recursive: true, force: true });
    },
  };
}

/** The store of a local directory `root`, described as `describe`; release runs `onRelease`. */
export function localStore(
  root: string,
  o: { describe: string; fsType: string | undefined; mode: StoreMode; describeImage?: (name: string) => string; onRelease?: () => Promise<void> },
): OpenedStore {
  let released = false;
  const imagePath = (name: string) => path.join(root, name);
  return {
    describe: o.describe,
    fsType: o.fsType,
    root,
    imagePath,
    describeImage: o.describeImage ?? imagePath,
    hasImage: (name) => exists(imagePath(name)),
    freeBytes: async () => (await check(await existingAncestor(root))).available,
    livesOn: async (diskName) => (await diskHolding(await existingAncestor(root))) === diskName,
    lockKey: (name) => imageLockKey(imagePath(name)),
    writeRootFile: async (file, text) => {
      if (o.mode !== 'write') throw new Error(`the store ${o.describe} is open for reading only`);
      await writeFile(path.join(root, file), text);
    },
    startImage: async (name) => {
      if (o.mode !== 'write') throw new Error(`the store ${o.describe} is open for reading only`);
      return localImageWriter(root, name);
    },
    reader: {
      listImages: () => scanForImages(root),
      listPartialImages: () => scanForPartialImages(root),
      openFile: async (image, file): Promise<Readable> => createReadStream(path.join(root, image, file)),
    },
    async release() {
      if (released) return;
      released = true;
      await o.onRelease?.();
    },
  };
}

/** Opens a folder store. Writing, the folder may be new if its parent exists (a new folder on a mounted stick). */
export async function openFolderStore(dir: string, mode: StoreMode): Promise<OpenedStore> {
  const root = path.resolve(dir);
  // Reading, a missing folder is left for the image's own "does not exist".
  if (mode === 'write' && !(await exists(root))) {
    if (!(await exists(path.dirname(root)))) throw new NotFoundError(`the destination ${root} does not exist`, 'mount the store first, or give an existing directory');
    await mkdir(root);
  }
  return localStore(root, { describe: root, fsType: undefined, mode });
}

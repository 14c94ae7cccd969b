// The store: where images live, as one interface the jobs use without knowing its kind (a local folder, a partition
// of an attached disk, a folder on an SSH server; SMB, NFS and image repositories plug in here as further kinds).
import type { Readable, Writable } from 'node:stream';
import type { SshRef } from './uri.js';

/** How a job asks for a store: a folder, a partition (mounted for the job) and a folder inside it, or an SSH server's folder. */
export type StoreRef =
  | { kind: 'folder'; path: string }
  | { kind: 'partition'; device: string; folder: string; fsType?: string | undefined; mountedAt?: string | undefined }
  | SshRef;

/** 'read' when the job only searches or reads images (the partition is then mounted read-only). */
export type StoreMode = 'read' | 'write';

/** An image being written: a partial name that no reader lists, published atomically or removed. */
export interface ImageWriter {
  /** The image's final name inside the store. */
  readonly name: string;
  /** The partial image's local directory (POSIX kinds; pipelines that need a path write here). */
  readonly partialDir: string;
  /** Writes one file of the image. */
  writeFile(file: string, data: string | Buffer): Promise<void>;
  /** A stream that writes one file (or piece) of the image. */
  createWriteStream(file: string): Promise<Writable>;
  /** Makes the image appear under its name, complete (an atomic rename on POSIX stores). */
  publish(): Promise<void>;
  /** Removes the partial image (idempotent; also after publish it does nothing). */
  abort(): Promise<void>;
}

export interface ImageReader {
  /** Image folders (Lifeboat's and Clonezilla's) at the top of the store or up to two folders down, sorted. */
  listImages(): Promise<string[]>;
  /** Partial images (a backup that did not finish: hidden, never listed by listImages) as [folder, image name]. */
  listPartialImages(): Promise<Array<{ dir: string; name: string }>>;
  /** A stream of one file of an image. */
  openFile(image: string, file: string): Promise<Readable>;
}

/** An opened store: what a job needs from it, and a release that always runs. */
export interface OpenedStore {
  /** The store in words, as the user named it (/mnt/stick, /dev/sdb1:/images). */
  readonly describe: string;
  /** The filesystem type, where known (vfat stores get split images). */
  readonly fsType: string | undefined;
  /** The store's root as a local path (the jobs' image folders are below it). */
  readonly root: string;
  /** The local path of an image in the store. */
  imagePath(name: string): string;
  /** The name of an image and the store's place of it in words (/dev/sdb1:/images/pc-…). */
  describeImage(name: string): string;
  /** Whether an image of this name exists. */
  hasImage(name: string): Promise<boolean>;
  freeBytes(): Promise<number>;
  /** Whether the store lives on the disk of this kernel name (a backup must not write onto its source). */
  livesOn(diskName: string): Promise<boolean>;
  /** The lock key of an image: the same wherever the store is mounted. */
  lockKey(name: string): Promise<string>;
  /** Writes a small file at the store's root, e.g. a job's log (write stores only). */
  writeRootFile(file: string, text: string): Promise<void>;
  /** Starts writing an image (write stores only). */
  startImage(name: string): Promise<ImageWriter>;
  readonly reader: ImageReader;
  /**
   * A job's failure in the store's own words, or the failure itself: a network store whose connection is gone says
   * so and names itself, whatever tool met the dead mount first. Optional: local kinds have nothing to add.
   */
  explainFailure?(e: unknown): Promise<unknown>;
  /** Unmounts or disconnects what opening did (idempotent). */
  release(): Promise<void>;
}

// The store: where images live, as one interface the jobs use without knowing its kind (a local folder, a partition
// of an attached disk, a folder on an SSH server; SMB, NFS and image repositories plug in here as further kinds).
import type { Readable, Writable } from 'node:stream';
import type { ResticRef } from '../repository/uri.js';
import type { StreamCommand } from '../pipeline/stages.js';
import type { SshRef } from './uri.js';

/** How a job asks for a store: a folder, a partition (mounted for the job) and a folder inside it, or an SSH server's folder. */
export type StoreRef =
  | { kind: 'folder'; path: string }
  | { kind: 'partition'; device: string; folder: string; fsType?: string | undefined; mountedAt?: string | undefined }
  | SshRef
  | ResticRef;

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
  /** A store that keeps streams itself (restic): the command that takes one image file's stream instead of a file. */
  streamCommand?(file: string): StreamCommand;
  /** After publish: where the image is in the store's words, and what it added to the store (a repository's new data). */
  stored?(): { image: string; addedBytes: number | undefined };
}

/** What a store is told about an image it starts (a repository tags its snapshots with the disk). */
export interface ImageAbout {
  disk: { name: string; ids?: string[] | undefined; model?: string | undefined; serial?: string | undefined; wwn?: string | undefined; backingFile?: string | undefined };
  /** The backup's time (a repository's snapshot time); default now. */
  time?: Date | undefined;
}

/** An image as a store that lists its own images tells it (a repository's snapshots). */
export interface ListedImage {
  name: string;
  image: string;
  time: string | undefined;
  disk: string | undefined;
  identity: string | undefined;
  sizeBytes: number;
  addedBytes: number | undefined;
  complete: boolean;
}

export interface ImageReader {
  /** Image folders (Lifeboat's and Clonezilla's) at the top of the store or up to two folders down, sorted. */
  listImages(): Promise<string[]>;
  /** Partial images (a backup that did not finish: hidden, never listed by listImages) as [folder, image name]. */
  listPartialImages(): Promise<Array<{ dir: string; name: string }>>;
  /** A stream of one file of an image. */
  openFile(image: string, file: string): Promise<Readable>;
  /** A store that knows its images itself (a repository): the list, newest first, instead of a folder scan. */
  describeImages?(): Promise<ListedImage[]>;
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
  startImage(name: string, about?: ImageAbout): Promise<ImageWriter>;
  /** The store compresses and deduplicates itself (a repository): images go in uncompressed and unsplit. */
  readonly rawStreams?: boolean;
  /** The store's own check of its whole content (a repository's `restic check`, reading all data with readData). */
  checkStore?(o: { readData: boolean }): Promise<{ ok: boolean; output: string }>;
  readonly reader: ImageReader;
  /**
   * A job's failure in the store's own words, or the failure itself: a network store whose connection is gone says
   * so and names itself, whatever tool met the dead mount first. Optional: local kinds have nothing to add.
   */
  explainFailure?(e: unknown): Promise<unknown>;
  /** Unmounts or disconnects what opening did (idempotent). */
  release(): Promise<void>;
}

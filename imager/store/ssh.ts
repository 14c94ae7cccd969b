// An SSH store: a folder on a server mounted with sshfs (FUSE, through the Runner) into a private mount point for
// the job, key only, the host key pinned in a known_hosts file (never trusted on first use); released by unmounting
// (lazily if busy) and removing the mount point, also after a failure or a stop. A write that fails while the
// server's filesystem has no room is the store being full, whatever errno sftp gave it (EPERM, EIO).
import { constants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, rmdir, statfs } from 'node:fs/promises';
import path from 'node:path';
import { CommandError, InterruptedError, LifeboatError, NoSpaceError, NotFoundError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { localStore } from './folder.js';
import { isMounted, unmountFuse } from './fuse-unmount.js';
import { storesRoot } from './partition.js';
import { knownHostsOf, sshfsArgs } from './ssh-args.js';
import { explainMountFailure, lostStore, serverFull } from './ssh-failure.js';
import type { ImageWriter, OpenedStore, StoreMode } from './store.js';
import { sshUri, type SshRef } from './uri.js';

/**
 * Whether the mount still stands and answers. sshfs unmounts itself when its connection ends, leaving the bare
 * mount point: so the mount table is asked, not only statfs (which the empty directory would answer).
 */
async function alive(dir: string): Promise<boolean> {
  if (!(await isMounted(dir))) return false;
  return statfs(dir).then(
    () => true,
    () => false,
  );
}

/** The server's free space, or undefined when the mount is gone or does not answer. */
async function room(dir: string): Promise<number | undefined> {
  if (!(await alive(dir))) return undefined;
  return statfs(dir).then(
    (s) => s.bavail * s.bsize,
    () => undefined,
  );
}

/**
 * Less room than this on the server when a write failed means the server is full: a filesystem refuses a write
 * before its last block (ext4's reserved clusters, btrfs's metadata), and a failed write leaves its own size unused.
 */
export const nearlyFullBytes = 16 * 1024 * 1024;

/**
 * Whether a failure is one a full server gives: ENOSPC itself, or what sftp makes of it (its one generic
 * SSH_FX_FAILURE, which sshfs turns into EPERM; EIO) from our own writes or a tool's. Refusals and other typed
 * failures are not.
 */
function fullServerFailure(e: unknown, roomLeft: number): boolean {
  if (e instanceof NoSpaceError) return true;
  if (roomLeft >= nearlyFullBytes) return false;
  return e instanceof CommandError || !(e instanceof LifeboatError);
}

/** The lock key of an image on an SSH store: the server's folder, the same whichever local mount point is used. */
export function sshLockKey(ref: SshRef, name: string): string {
  return `image:${sshUri({ ...ref, host: ref.host.toLowerCase(), port: ref.port ?? 22 }, name)}`;
}

/** Mounts the server's folder and opens it as a store; release() must run (usingStore and withStore do it). */
export async function openSshStore(runner: Runner, ref: SshRef, mode: StoreMode): Promise<OpenedStore> {
  const uri = sshUri(ref);
  if (ref.identityFile) await access(ref.identityFile, constants.R_OK).catch(() => { throw new NotFoundError(`the SSH key ${ref.identityFile} does not exist or cannot be read`, 'give the private key file with --ssh-key FILE'); });
  await mkdir(storesRoot, { recursive: true });
  const dir = await mkdtemp(path.join(storesRoot, 'ssh-'));
  await chmod(dir, 0o700);
  try {
    await runner.run('sshfs', sshfsArgs(ref, mode, dir), { hint: `${uri} could not be mounted` });
  } catch (e) {
    await rmdir(dir).catch(() => undefined);
    throw await explainMountFailure(runner, ref, knownHostsOf(ref), e);
  }
  const release = async () => {
    if (await unmountFuse(runner, dir)) await rmdir(dir).catch(() => undefined);
  };
  // The server's free space when an image being written was given up, before its partial folder was removed.
  let roomAtFailure: number | undefined;
  const store = localStore(dir, { describe: uri, fsType: undefined, mode, describeImage: (name) => sshUri(ref, name), onRelease: release });
  return {
    ...store,
    // sshfs answers statvfs with the server's own figures (the statvfs@openssh.com extension).
    freeBytes: async () => {
      const s = await statfs(dir);
      return s.bavail * s.bsize;
    },
    livesOn: async () => false,
    // An image is published only while the mount stands: never into the bare mount point of a dropped connection.
    startImage: async (name): Promise<ImageWriter> => {
      const w = await store.startImage(name);
      return {
        ...w,
        publish: async () => {
          if (!(await alive(dir))) throw lostStore(ref, new Error('the mount is gone'));
          await w.publish();
        },
        abort: async () => {
          roomAtFailure = await room(dir);
          await w.abort();
        },
      };
    },
    lockKey: async (name) => sshLockKey(ref, name),
    explainFailure: async (e) => {
      if (e instanceof InterruptedError) return e;
      if (!(await alive(dir))) return lostStore(ref, e);
      // Only a write into an image can fill the server: a refusal before the first byte says so itself.
      if (roomAtFailure !== undefined && fullServerFailure(e, roomAtFailure)) return serverFull(ref, roomAtFailure, e);
      return e;
    },
  };
}

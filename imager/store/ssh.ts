// An SSH store: a folder on a server mounted with sshfs (FUSE, through the Runner) into a private mount point for
// the job, key only, the host key pinned in a known_hosts file (never trusted on first use); released by unmounting
// (lazily if busy) and removing the mount point, also after a failure or a stop.
import { constants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, rmdir, statfs } from 'node:fs/promises';
import path from 'node:path';
import { InterruptedError, NotFoundError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { localStore } from './folder.js';
import { isMounted, unmountFuse } from './fuse-unmount.js';
import { storesRoot } from './partition.js';
import { knownHostsOf, sshfsArgs } from './ssh-args.js';
import { explainMountFailure, lostStore } from './ssh-failure.js';
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
      };
    },
    lockKey: async (name) => sshLockKey(ref, name),
    explainFailure: async (e) => (e instanceof InterruptedError || (await alive(dir)) ? e : lostStore(ref, e)),
  };
}

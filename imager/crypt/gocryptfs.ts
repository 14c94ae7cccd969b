// gocryptfs through the Runner, as Clonezilla 5.15.17+ runs it for its encrypted images (scripts/sbin/ocs-functions,
// task_gocryptfs_mount_point): `gocryptfs -init -plaintextnames` of the image folder, then a mount of it (-rw to save,
// -ro for the rest). The passphrase goes to gocryptfs on its standard input (it reads it from there when stdin is not
// a terminal): never on a command line, in a file or in the Runner's log, which records the argv only.
import { chmod, mkdir, mkdtemp, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { CommandError, PassphraseError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { unmountFuse } from '../store/fuse-unmount.js';
import { storesRoot } from '../store/partition.js';

/** gocryptfs's exit code for a wrong password (its ErrExitPassword). */
const exitWrongPassword = 12;

/** gocryptfs as Clonezilla runs it: LC_ALL=C; -q keeps it from printing the master key on -init. */
function run(runner: Runner, args: string[], passphrase: string, hint: string): Promise<unknown> {
  return runner.run('gocryptfs', ['-q', ...args], { input: passphrase, env: { LC_ALL: 'C' }, hint });
}

/** Makes `dir` (empty) an encrypted tree with Clonezilla's options: gocryptfs.conf appears in it. */
export async function initCipherDir(runner: Runner, dir: string, passphrase: string): Promise<void> {
  await run(runner, ['-init', '-plaintextnames', dir], passphrase, `the encrypted image folder ${dir} could not be made`);
}

/**
 * A private mount point for a plaintext view: `<stores>/gocryptfs-XXXXXX/<name>` (the folder 0700), so the paths that
 * plans and events show end in the image's own name.
 */
async function makeMountPoint(name: string): Promise<string> {
  await mkdir(storesRoot, { recursive: true });
  const parent = await mkdtemp(path.join(storesRoot, 'gocryptfs-'));
  await chmod(parent, 0o700);
  const dir = path.join(parent, path.basename(name) || 'image');
  await mkdir(dir);
  return dir;
}

async function removeMountPoint(dir: string): Promise<void> {
  await rmdir(dir).catch(() => undefined);
  await rmdir(path.dirname(dir)).catch(() => undefined);
}

/**
 * Mounts the encrypted tree `cipherDir` at `mountpoint` (read-only or read-write). A wrong passphrase is a
 * PassphraseError naming `what` (the image in the user's words); nothing is mounted then.
 */
export async function mountCipherDir(runner: Runner, cipherDir: string, mountpoint: string, passphrase: string, mode: 'ro' | 'rw', what: string): Promise<void> {
  try {
    await run(runner, [mode === 'ro' ? '-ro' : '-rw', cipherDir, mountpoint], passphrase, `the encrypted image ${what} could not be opened`);
  } catch (e) {
    if (e instanceof CommandError && e.exitCode === exitWrongPassword)
      throw new PassphraseError(`wrong passphrase for the encrypted image ${what}: nothing was read or written`, 'type it again, or give the file that holds it with --passphrase-file FILE');
    throw e;
  }
}

/** A plaintext view mounted at a fresh private mount point; release() unmounts it and removes the mount point. */
export async function openPlaintextView(runner: Runner, cipherDir: string, passphrase: string, mode: 'ro' | 'rw', what: string): Promise<{ dir: string; release: () => Promise<boolean> }> {
  const dir = await makeMountPoint(what);
  try {
    await mountCipherDir(runner, cipherDir, dir, passphrase, mode, what);
  } catch (e) {
    await removeMountPoint(dir);
    throw e;
  }
  let mounted = true;
  return {
    dir,
    release: async () => {
      if (!mounted) return true;
      if (!(await unmountFuse(runner, dir))) return false;
      mounted = false;
      await removeMountPoint(dir);
      return true;
    },
  };
}

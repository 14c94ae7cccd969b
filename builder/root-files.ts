// Writing into the live root without ever leaving it: parents must resolve inside the root (Debian roots hold
// absolute symlinks such as /var/run -> /run that would point at the host), and a symlink at the target is replaced.
import { copyFile, chmod, lstat, mkdir, realpath, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

async function parentInside(root: string, rel: string): Promise<string> {
  if (path.isAbsolute(rel) === false) throw new Error(`root paths are absolute: ${rel}`);
  const target = path.join(root, rel);
  const realRoot = await realpath(root);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const realParent = await realpath(parent);
  if (realParent !== realRoot && !realParent.startsWith(`${realRoot}/`)) throw new Error(`${rel} resolves outside the live root (${realParent})`);
  return path.join(realParent, path.basename(target));
}

async function clear(file: string): Promise<void> {
  try {
    const st = await lstat(file);
    if (st.isSymbolicLink() || st.isFile()) await unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Writes a file at `rel` (absolute inside the root) with `mode`. */
export async function writeRootFile(root: string, rel: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const file = await parentInside(root, rel);
  await clear(file);
  await writeFile(file, content, { mode });
  await chmod(file, mode); // writeFile's mode is filtered by the umask
}

/** Copies a host file into the root at `rel`. */
export async function copyIntoRoot(root: string, rel: string, source: string, mode?: number): Promise<void> {
  const file = await parentInside(root, rel);
  await clear(file);
  await copyFile(source, file);
  if (mode !== undefined) await chmod(file, mode);
}

/** Makes `rel` a symlink to `target` (relative or absolute as the live system sees it). */
export async function symlinkInRoot(root: string, rel: string, target: string): Promise<void> {
  const file = await parentInside(root, rel);
  await clear(file);
  await symlink(target, file);
}

/** Removes `rel` (a file, a symlink or a whole directory) if it is there. */
export async function removeInRoot(root: string, rel: string): Promise<void> {
  const file = await parentInside(root, rel);
  await rm(file, { recursive: true, force: true });
}

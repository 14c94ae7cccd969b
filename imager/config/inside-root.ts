// Paths inside a mounted filesystem as the system on it sees them: a symbolic link is followed within that
// filesystem (an absolute target starts again at its root), never out into the machine that reads it
// (/etc/os-release -> ../usr/lib/os-release; a link to /etc/shadow must not copy the rescue system's own).
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

const maxLinks = 40; // as the kernel's own limit of nested links

/** The host path of rel inside root with every link resolved inside root, or undefined when it does not exist there. */
export async function resolveInside(root: string, rel: string): Promise<string | undefined> {
  let todo = rel.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let links = 0;
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === '..') {
      done.pop(); // .. of the root is the root, as in a chroot
      continue;
    }
    const here = path.join(root, ...done, c);
    const st = await lstat(here).catch(() => undefined);
    if (!st) return undefined;
    if (st.isSymbolicLink()) {
      if (++links > maxLinks) return undefined;
      const target = await readlink(here);
      if (target.startsWith('/')) done.length = 0;
      todo = [...target.split('/').filter((x) => x !== '' && x !== '.'), ...todo];
      continue;
    }
    done.push(c);
  }
  return path.join(root, ...done);
}

/** A regular file's host path inside root (links resolved inside it), or undefined. */
export async function fileInside(root: string, rel: string): Promise<string | undefined> {
  const p = await resolveInside(root, rel);
  if (!p) return undefined;
  const st = await lstat(p).catch(() => undefined);
  return st?.isFile() ? p : undefined;
}

/**
 * The entry of dir (a host path) named name regardless of case, as NTFS holds names (Windows looks them up without
 * case; ntfs-3g does not): 'system32' finds 'System32'. Undefined when there is none.
 */
export async function entryNoCase(dir: string, name: string): Promise<string | undefined> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries.find((e) => e === name) ?? entries.find((e) => e.toLowerCase() === name.toLowerCase());
}

/** rel's components looked up one by one without case under root: the path as it is spelled there, or undefined. */
export async function pathNoCase(root: string, rel: string): Promise<string | undefined> {
  const found: string[] = [];
  for (const c of rel.split('/').filter(Boolean)) {
    const e = await entryNoCase(path.join(root, ...found), c);
    if (e === undefined) return undefined;
    found.push(e);
  }
  return found.join('/');
}

// Reproducible trees: no file or directory in a tree is newer than SOURCE_DATE_EPOCH (xorriso records each one's
// mtime in the ISO's directory records; files older than the epoch, such as the kernel's, keep theirs).
import { lstat, lutimes, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Sets the mtime (and atime) of every entry under `dir`, `dir` included, that is newer than `epoch` to `epoch`. */
export async function clampTimes(dir: string, epoch: number): Promise<number> {
  let changed = 0;
  const visit = async (p: string): Promise<void> => {
    const st = await lstat(p);
    if (st.isDirectory()) for (const name of (await readdir(p)).sort()) await visit(path.join(p, name));
    if (st.mtimeMs > epoch * 1000) {
      await lutimes(p, epoch, epoch);
      changed += 1;
    }
  };
  await visit(dir);
  return changed;
}

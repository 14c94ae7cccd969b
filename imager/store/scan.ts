// Finds image folders under a local directory: Lifeboat's (lifeboat.json) and Clonezilla's (disk + parts), at the
// top or up to two folders down; hidden ones (partial images) and lost+found left out, and listed apart.
import { readdir } from 'node:fs/promises';
import path from 'node:path';

async function entriesOf(dir: string): Promise<{ name: string; isDir: boolean }[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).map((e) => ({ name: e.name, isDir: e.isDirectory() }));
  } catch {
    return [];
  }
}

function isImage(names: Set<string>): boolean {
  return names.has('lifeboat.json') || (names.has('disk') && names.has('parts'));
}

/** Relative paths of image directories under root, depth 1 and 2, sorted. */
export async function scanForImages(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string, depth: number) => {
    for (const e of await entriesOf(path.join(root, rel))) {
      if (!e.isDir || e.name.startsWith('.') || e.name === 'lost+found') continue;
      const sub = path.join(rel, e.name);
      const names = new Set((await entriesOf(path.join(root, sub))).map((x) => x.name));
      if (isImage(names)) out.push(sub);
      else if (depth < 2) await walk(sub, depth + 1);
    }
  };
  await walk('', 1);
  return out.sort();
}

const partialPattern = /^\.(.+)\.lifeboat-partial$/;

/** Partial images (.NAME.lifeboat-partial) under root, depth 1 and 2: their folder and the image's name. */
export async function scanForPartialImages(root: string): Promise<Array<{ dir: string; name: string }>> {
  const out: Array<{ dir: string; name: string }> = [];
  const walk = async (rel: string, depth: number) => {
    for (const e of await entriesOf(path.join(root, rel))) {
      if (!e.isDir || e.name === 'lost+found') continue;
      const m = partialPattern.exec(e.name);
      if (m) out.push({ dir: path.join(rel, e.name), name: path.join(rel, m[1]!) });
      else if (!e.name.startsWith('.') && depth < 2) await walk(path.join(rel, e.name), depth + 1);
    }
  };
  await walk('', 1);
  return out.sort((a, b) => a.dir.localeCompare(b.dir));
}

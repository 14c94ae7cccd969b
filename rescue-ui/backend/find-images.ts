// Finds image directories on a mounted store: Lifeboat's (lifeboat.json) and Clonezilla's (disk + parts), at the top
// of the store or one folder down, and describes each for the screens (what it holds, or why it cannot be used).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { openImage } from '../../imager/image/open.js';
import { canGrow } from '../../imager/fs/registry.js';
import { lastPartition } from '../../imager/restore/plan.js';
import type { FoundImage } from './port.js';

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

/** Relative paths of image directories under root, depth 1 and 2; hidden ones (partial images) left out. */
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

/** Describes the image at root/rel; an image that cannot be opened is still listed, with the reason. */
export async function describeImage(store: string, root: string, rel: string): Promise<FoundImage> {
  try {
    const image = await openImage(path.join(root, rel));
    const lastNumber = lastPartition(image)?.number;
    const last = image.partitions.find((p) => p.number === lastNumber);
    return {
      store,
      path: rel,
      origin: image.origin,
      diskName: image.diskName,
      tableType: image.table.type,
      requiredBytes: image.requiredBytes,
      imageBytes: image.partitions.reduce((n, p) => n + p.imageBytes, 0),
      createdAt: image.manifest?.createdAt,
      partitions: image.partitions.map((p) => ({ name: p.name, fsType: p.fsType, label: p.fsLabel, imageBytes: p.imageBytes, action: p.action })),
      last: last ? { name: last.name, fsType: last.fsType, fsGrows: last.fsType !== undefined && canGrow(last.fsType) } : undefined,
      problem: undefined,
    };
  } catch (e) {
    return { store, path: rel, origin: 'lifeboat', diskName: '?', tableType: '?', requiredBytes: 0, imageBytes: 0, createdAt: undefined, partitions: [], last: undefined, problem: (e as Error).message };
  }
}

// The CLI's image arguments (an image folder's path) as a store and a name: the folder holding it, and its name.
import path from 'node:path';
import type { StoreRef } from '../store/store.js';

export function storeOfImagePath(imageDir: string): { store: StoreRef; image: string } {
  const full = path.resolve(imageDir);
  return { store: { kind: 'folder', path: path.dirname(full) }, image: path.basename(full) };
}

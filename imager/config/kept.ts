// What an image keeps of a system's configuration, beside the partition images: one folder per filesystem that holds
// a system (lifeboat-config/<partition>/), its files under the paths they have on that filesystem, so a person can
// read them in the image folder and `lifeboat files` can hand one out without a restore.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

/** The image's folder of kept configuration. */
export const configFolder = 'lifeboat-config';

export type ConfigKind = 'linux' | 'boot' | 'windows' | 'esp';

/** One filesystem's kept configuration, as the manifest records it. */
export interface KeptConfig {
  /** The partition or LV it comes from (sda2, vg0/root). */
  source: string;
  kind: ConfigKind;
  /** The system in words, where the filesystem says (os-release's PRETTY_NAME; Windows). */
  system?: string;
  /** Its folder inside the image (lifeboat-config/sda2). */
  folder: string;
  /** Its files, relative to folder (etc.tar, etc/fstab, Windows/System32/config/SYSTEM). */
  files: string[];
}

/** The folder name of a source inside lifeboat-config: sda2, or vg0-root for an LV. */
export function configKey(source: string): string {
  return source.replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** Where a collector writes: files are copied under out with the path they have in the source. */
export class ConfigOut {
  readonly files: string[] = [];
  constructor(readonly dir: string) {}

  /** The host path for rel (its folders made); rel is recorded as kept. */
  async place(rel: string): Promise<string> {
    const to = path.join(this.dir, rel);
    await mkdir(path.dirname(to), { recursive: true });
    this.files.push(rel);
    return to;
  }

  /** Copies a file of the mounted source (a host path) to rel; the copy keeps no link to it. */
  async copy(from: string, rel: string): Promise<void> {
    await copyFile(from, await this.place(rel));
  }
}

// Clonezilla's plaintext marker of an encrypted image, gocryptfs.info, beside the encrypted tree: how Clonezilla (and
// Lifeboat) tell an encrypted image without its passphrase. The same lines as ocs-functions' put_gocryptfs_tag_file_in_img,
// with the values its get_gocryptfs_info reads from the plaintext image before the unmount: the `disk` and `parts`
// files, the time in clonezilla-img's "### Image created time:" line, and each disk's size from <disk>-pt.parted.compact.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { names } from '../image/layout.js';

export const gocryptfsInfoFile = 'gocryptfs.info';
/** gocryptfs's own config (the wrapped master key) in the encrypted tree: there from -init on. */
export const gocryptfsConfFile = 'gocryptfs.conf';

export interface GocryptfsInfo {
  disks: string[];
  parts: string[];
  /** Clonezilla's time stamp, YYYY-MMDD-HHMM. */
  time: string;
  /** _<size> per disk, as Clonezilla joins them (e.g. _800MB). */
  disksSize: string;
}

async function text(file: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => '');
}

/** The file is sourced by Clonezilla's shell: values keep only characters that need no quoting. */
function safe(v: string): string {
  return v.replace(/[^A-Za-z0-9 _./:+-]/g, '');
}

/** What gocryptfs.info says, read from the plaintext image (get_gocryptfs_info). */
export async function gocryptfsInfoOf(plainDir: string): Promise<GocryptfsInfo> {
  const words = (s: string) => s.trim().split(/\s+/).filter(Boolean);
  const disks = words(await text(path.join(plainDir, names.disk)));
  const parts = words(await text(path.join(plainDir, names.parts)));
  const time = (/^### Image created time: (.*)$/m.exec(await text(path.join(plainDir, names.clonezillaImg)))?.[1] ?? '').replace(/\s+/g, '');
  let disksSize = '';
  for (const d of disks) {
    const size = /^Disk \/dev\/[^:]*:(.*)$/m.exec(await text(path.join(plainDir, `${d}-pt.parted.compact`)))?.[1]?.replace(/\s+/g, '');
    if (size) disksSize += `_${size}`;
  }
  return { disks, parts, time, disksSize };
}

/** gocryptfs.info's text, line for line as put_gocryptfs_tag_file_in_img writes it. */
export function formatGocryptfsInfo(info: GocryptfsInfo): string {
  return [
    '# This image was saved with gocryptfs',
    `disk_of_img="${safe(info.disks.join(' '))}"`,
    `parts_of_img="${safe(info.parts.join(' '))}"`,
    `time_of_img="${safe(info.time)}"`,
    `disks_size_all_of_img="${safe(info.disksSize)}"`,
    '',
  ].join('\n');
}

/** gocryptfs.info read back (a Clonezilla image's or Lifeboat's). */
export function parseGocryptfsInfo(textIn: string): GocryptfsInfo {
  const get = (k: string) => new RegExp(`^${k}="([^"]*)"`, 'm').exec(textIn)?.[1] ?? '';
  const words = (s: string) => s.split(/\s+/).filter(Boolean);
  return { disks: words(get('disk_of_img')), parts: words(get('parts_of_img')), time: get('time_of_img'), disksSize: get('disks_size_all_of_img') };
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Whether a folder on the store is an encrypted image: gocryptfs.info beside the tree, as is_gocryptfs_img asks
 * (a partial one, whose marker is written last, has gocryptfs.conf already).
 */
export async function encryptionOf(dir: string): Promise<'gocryptfs' | 'gocryptfs-partial' | undefined> {
  if (await isFile(path.join(dir, gocryptfsInfoFile))) return 'gocryptfs';
  if (await isFile(path.join(dir, gocryptfsConfFile))) return 'gocryptfs-partial';
  return undefined;
}

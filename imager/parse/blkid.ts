// Parses `blkid -p -o export DEV` (a probe of the device itself; no udev database needed).

export interface BlkidInfo {
  type: string | undefined; // ext4, xfs, ntfs, vfat, swap, btrfs, … ; undefined when nothing is recognised
  uuid: string | undefined;
  label: string | undefined;
  version: string | undefined; // FAT32, 1.0, …
  usage: string | undefined; // filesystem, other, raid, crypto
  ptType: string | undefined; // set when the device holds a partition table (e.g. an extended partition: dos)
  raw: Record<string, string>;
}

/** blkid's export format escapes spaces and specials with backslashes. */
function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

export function parseBlkidExport(text: string): BlkidInfo {
  const raw: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) raw[line.slice(0, i)] = unescape(line.slice(i + 1));
  }
  return {
    type: raw['TYPE'],
    uuid: raw['UUID'],
    label: raw['LABEL'],
    version: raw['VERSION'],
    usage: raw['USAGE'],
    ptType: raw['PTTYPE'],
    raw,
  };
}

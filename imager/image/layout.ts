// File names inside an image directory, exactly as Clonezilla's savedisk lays them out, plus Lifeboat's manifest.

export const manifestFile = 'lifeboat.json';

export const names = {
  disk: 'disk',
  parts: 'parts',
  partTable: (disk: string) => `${disk}-pt.sf`,
  chs: (disk: string) => `${disk}-chs.sf`,
  mbr: (disk: string) => `${disk}-mbr`,
  hiddenAfterMbr: (disk: string) => `${disk}-hidden-data-after-mbr`,
  gpt1st: (disk: string) => `${disk}-gpt-1st`,
  gpt2nd: (disk: string) => `${disk}-gpt-2nd`,
  gptBackup: (disk: string) => `${disk}-gpt.gdisk`,
  gptPrint: (disk: string) => `${disk}-gpt.sgdisk`,
  swapInfo: (part: string) => `swappt-${part}.info`,
  blkidList: 'blkid.list',
  devFsList: 'dev-fs.list',
  blkdevList: 'blkdev.list',
  imgSize: 'Info-img-size.txt',
  savedBy: 'Info-saved-by-cmd.txt',
  clonezillaImg: 'clonezilla-img',
  imgId: 'Info-img-id.txt',
  /** Base name of a partition image; pieces add .aa, .ab, … when split. */
  partImage: (part: string, fsName: string, suffix: string) => `${part}.${fsName}-ptcl-img.${suffix}`,
};

/** Split piece suffixes as split(1) -a 2 makes them: aa, ab, …, az, ba, … */
export function pieceSuffix(index: number): string {
  const a = 'a'.charCodeAt(0);
  return String.fromCharCode(a + Math.floor(index / 26)) + String.fromCharCode(a + (index % 26));
}

const partImagePattern = /^(.+?)\.([A-Za-z0-9+_-]+)-ptcl-img\.(gz|zst|xz|bz2|lz4|lzo|lzma|uncomp)(?:\.([a-z]{2,}))?$/;

export interface PartImageName {
  part: string;
  fsName: string;
  suffix: string;
  piece: string | undefined;
}

export function parsePartImageName(file: string): PartImageName | undefined {
  const m = partImagePattern.exec(file);
  if (!m) return undefined;
  return { part: m[1]!, fsName: m[2]!, suffix: m[3]!, piece: m[4] };
}

// Clonezilla's LVM files in an image (ocs-functions save_logv/restore_logv): their names, their lines written, their lines read back.

export const lvmNames = {
  /** One line per PV: `<vg> <pv device> <pv uuid>`. */
  vgDevList: 'lvm_vg_dev.list',
  /** One line per LV: `/dev/<vg>/<lv> <what file(1) says of it>`; restore_logv makes swap of a line that says swap. */
  logvList: 'lvm_logv.list',
  /** The VG's metadata as vgcfgbackup -f writes it. */
  vgConf: (vg: string) => `lvm_${vg}.conf`,
  /** The device part of an LV's image file names (to_ocs_dev_img_name: /dev/vg0/root -> vg0-root). */
  lvImageBase: (vg: string, lv: string) => `/dev/${vg}/${lv}`.slice('/dev/'.length).replace(/\//g, '-'),
  lvSwapInfo: (vg: string, lv: string) => `swappt-${lvmNames.lvImageBase(vg, lv)}.info`,
};

export interface VgDevLine {
  vg: string;
  device: string;
  uuid: string;
}

export interface LogvLine {
  /** /dev/<vg>/<lv> */
  path: string;
  vg: string;
  lv: string;
  description: string;
  swap: boolean;
}

export function vgDevListText(lines: readonly VgDevLine[]): string {
  return lines.map((l) => `${l.vg} ${l.device} ${l.uuid}\n`).join('');
}

/** save_logv writes `echo "$LOGV $file_system"` with file_system the text after file -Ls's colon (so two spaces). */
export function logvListText(lines: ReadonlyArray<{ path: string; description: string }>): string {
  return lines.map((l) => `${l.path}  ${l.description}\n`).join('');
}

/**
 * What `file -Ls` says of a filesystem, in its words as far as restore_logv reads them (swap is told by the word
 * "swap"); the live system has no file(1), so the line is written from blkid's facts.
 */
export function fileDescription(fsType: string | undefined, uuid: string | undefined, label: string | undefined): string {
  const ids = [label ? `LABEL=${label}` : '', uuid ? `UUID=${uuid}` : ''].filter(Boolean).join(', ');
  switch (fsType) {
    case 'swap':
      return `Linux swap file, 4k page size, little endian, version 1${ids ? `, ${ids}` : ''}`;
    case 'ext2':
    case 'ext3':
    case 'ext4':
      return `Linux rev 1.0 ${fsType} filesystem data${uuid ? `, UUID=${uuid}` : ''}${label ? `, volume name "${label}"` : ''}`;
    case 'xfs':
      return 'SGI XFS filesystem data';
    case 'btrfs':
      return `BTRFS Filesystem${label ? ` label "${label}"` : ''}${uuid ? `, UUID=${uuid}` : ''}`;
    case undefined:
      return 'data';
    default:
      return `${fsType} filesystem data`;
  }
}

export function parseVgDevList(text: string): VgDevLine[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3 && f[0] !== '')
    .map(([vg, device, uuid]) => ({ vg: vg!, device: device!, uuid: uuid! }));
}

export function parseLogvList(text: string): LogvLine[] {
  const out: LogvLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\/dev\/([^/\s]+)\/(\S+))\s*(.*)$/.exec(line);
    if (!m) continue;
    const description = m[4]!.trim();
    out.push({ path: m[1]!, vg: m[2]!, lv: m[3]!, description, swap: /swap/i.test(description) });
  }
  return out;
}

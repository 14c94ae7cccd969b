// The live system's package set, computed from the config: what Lifeboat needs, what the settings need, the extras.
import type { Architecture, FirmwareSet, IsoConfig } from '../iso-config/config.js';

/** The kernel package per architecture. */
const kernelPackage: Record<Architecture, string> = {
  amd64: 'linux-image-amd64',
  arm64: 'linux-image-arm64',
};

/** Booting a live system: kernel, live-boot's initramfs, systemd as init, udev for /dev/disk/by-id. */
const livePackages = ['live-boot', 'systemd-sysv', 'udev', 'kmod'];

/** What the imager runs (the same tools scripts/setup installs on a host for `lifeboat backup`/`restore`). */
export const diskToolPackages: readonly string[] = [
  'partclone',
  'fdisk',
  'gdisk',
  'parted',
  'util-linux',
  'e2fsprogs',
  'xfsprogs',
  'btrfs-progs',
  'ntfs-3g',
  'dosfstools',
  'mtools',
  // rsync fills the new XFS when a restore shrinks one (imager/fs/shrink.ts).
  'rsync',
  'zstd',
  'pigz',
  'gzip',
  'xz-utils',
];

/**
 * What stores need in the live system: gocryptfs for encrypted images, restic for image repositories, and sshfs for ssh:// stores (its dependencies fuse3, libfuse3 and glib
 * are in the root already; it brings openssh-client, libfido2-1 and libcbor). From Debian's package data (bookworm
 * 12: sshfs 122 KiB, openssh-client 5792 KiB, libfido2-1 241 KiB, libcbor 98 KiB installed): about 6.1 MiB in the
 * root before docs and man pages are dropped, roughly 2.5 MB more on the zstd squashfs; not yet measured by a build.
 */
export const storePackages: readonly string[] = ['sshfs', 'gocryptfs', 'restic'];

/**
 * What disks that do not keep filesystems directly in partitions need (issue 13): LVM, md RAID, LUKS, and GNU
 * ddrescue for copying past unreadable sectors. None of them may act on the user's disks by itself: the live root
 * gets, before these packages are installed, the files in noAutoAssemblyFiles (system/files.ts).
 */
export const layoutPackages: readonly string[] = ['lvm2', 'mdadm', 'cryptsetup-bin', 'gddrescue'];

/** Firmware sets: everything but free comes from the non-free-firmware component. */
export const firmwarePackages: Record<FirmwareSet, readonly string[]> = {
  free: ['firmware-linux-free'],
  network: ['firmware-realtek', 'firmware-bnx2', 'firmware-bnx2x', 'firmware-myricom', 'firmware-netxen', 'firmware-netronome'],
  wifi: ['firmware-iwlwifi', 'firmware-atheros', 'firmware-brcm80211', 'firmware-libertas', 'firmware-mediatek', 'firmware-realtek', 'firmware-ti-connectivity'],
  storage: ['firmware-qlogic'],
  graphics: ['firmware-amd-graphics', 'firmware-intel-graphics', 'firmware-nvidia-graphics'],
  misc: ['firmware-misc-nonfree', 'firmware-intel-misc'],
  microcode: ['amd64-microcode', 'intel-microcode'],
};

/** Packages a setting needs only when it differs from what minbase already does. */
function settingPackages(c: IsoConfig): string[] {
  return [
    ...(c.locale !== 'C.UTF-8' ? ['locales'] : []),
    ...(c.keymap !== 'us' ? ['console-setup', 'keyboard-configuration'] : []),
    ...(c.timezone !== 'UTC' ? ['tzdata'] : []),
    ...(c.network.mode !== 'off' ? ['systemd-resolved'] : []),
    ...(c.ssh.enabled ? ['openssh-server'] : []),
  ];
}

/** The whole package list for mmdebstrap --include, sorted and without duplicates. */
export function livePackageList(c: IsoConfig): string[] {
  const all = [
    kernelPackage[c.architecture],
    ...livePackages,
    ...diskToolPackages,
    ...storePackages,
    ...layoutPackages,
    ...c.firmware.flatMap((set) => firmwarePackages[set]),
    ...settingPackages(c),
    ...c.packages,
  ];
  return [...new Set(all)].sort();
}

/** Debian archive components the package list needs. */
export function components(c: IsoConfig): string[] {
  return c.firmware.some((set) => set !== 'free') ? ['main', 'non-free-firmware'] : ['main'];
}

/** Parses dpkg's status file into installed packages and versions, sorted by name. */
export function parseDpkgStatus(status: string): { name: string; version: string }[] {
  const out: { name: string; version: string }[] = [];
  for (const stanza of status.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(stanza)?.[1]?.trim();
    const name = field('Package');
    const version = field('Version');
    const state = field('Status');
    if (name && version && state?.endsWith(' installed')) out.push({ name, version });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// Which Debian package provides each external tool, so a missing tool's error says what to install.

const packageOf: Record<string, string> = {
  sfdisk: 'fdisk',
  sgdisk: 'gdisk',
  partx: 'util-linux',
  lsblk: 'util-linux',
  blkid: 'util-linux',
  losetup: 'mount',
  mkswap: 'util-linux',
  blockdev: 'util-linux',
  fsfreeze: 'util-linux',
  zstd: 'zstd',
  gzip: 'gzip',
  pigz: 'pigz',
  xz: 'xz-utils',
  resize2fs: 'e2fsprogs',
  debugfs: 'e2fsprogs',
  ddrescue: 'gddrescue',
  xfs_growfs: 'xfsprogs',
  ntfsresize: 'ntfs-3g',
  ntfsclone: 'ntfs-3g',
  mcopy: 'mtools',
  rsync: 'rsync',
  'mkfs.xfs': 'xfsprogs',
  xfs_admin: 'xfsprogs',
  xfs_info: 'xfsprogs',
  btrfs: 'btrfs-progs',
  sshfs: 'sshfs',
  restic: 'restic',
  setpriv: 'util-linux',
  gocryptfs: 'gocryptfs',
  ssh: 'openssh-client',
  'ssh-keyscan': 'openssh-client',
  'ssh-keygen': 'openssh-client',
  fusermount3: 'fuse3',
  fusermount: 'fuse',
};

/** The Debian package that ships `tool`, or undefined when unknown. */
export function debianPackageFor(tool: string): string | undefined {
  const base = tool.split('/').pop() ?? tool;
  if (base.startsWith('partclone.')) return 'partclone';
  return packageOf[base];
}

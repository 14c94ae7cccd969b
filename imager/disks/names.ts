// Kernel names of disks and partitions: /dev/sda + 1 → /dev/sda1, /dev/nvme0n1 + 1 → /dev/nvme0n1p1.

/** The partition device for a disk device and a partition number (kernel naming rules). */
export function partitionPath(disk: string, n: number): string {
  return /\d$/.test(disk) ? `${disk}p${n}` : `${disk}${n}`;
}

/** The short name of a device path: /dev/sda → sda. */
export function shortName(device: string): string {
  return device.replace(/^\/dev\//, '');
}

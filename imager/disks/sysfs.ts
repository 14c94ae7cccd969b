// Reads block-device facts from /sys and /proc: what is a partition, which disk owns it, what is mounted or swapped.
import { readFile, readdir, readlink, stat, realpath } from 'node:fs/promises';
import path from 'node:path';

async function readText(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** A partition's first sector on its disk in 512-byte units (sysfs), or undefined for what is no partition (an LV, a file). */
export async function partitionStartSector(device: string): Promise<number | undefined> {
  const text = await readText(`/sys/class/block/${path.basename(device)}/start`);
  return text === undefined ? undefined : Number(text);
}

/** A block device's size in bytes (sysfs counts 512-byte units), or undefined. */
export async function blockDeviceBytes(device: string): Promise<number | undefined> {
  const text = await readText(`/sys/class/block/${path.basename(device)}/size`);
  return text === undefined ? undefined : Number(text) * 512;
}

/** "major:minor" of a block device node. */
export async function majMinOf(device: string): Promise<string> {
  const st = await stat(device);
  return `${Math.floor(st.rdev / 256) & 0xfff}:${(st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00)}`;
}

/** The sysfs directory of a block device, by major:minor. */
export async function sysDir(majMin: string): Promise<string | undefined> {
  try {
    return await realpath(`/sys/dev/block/${majMin}`);
  } catch {
    return undefined;
  }
}

/** For a partition's major:minor, the whole disk's kernel name; for a disk, its own name. */
export async function wholeDiskName(majMin: string): Promise<string | undefined> {
  const dir = await sysDir(majMin);
  if (!dir) return undefined;
  const isPart = (await readText(path.join(dir, 'partition'))) !== undefined;
  return path.basename(isPart ? path.dirname(dir) : dir);
}

export async function isPartition(majMin: string): Promise<boolean> {
  const dir = await sysDir(majMin);
  return dir !== undefined && (await readText(path.join(dir, 'partition'))) !== undefined;
}

/** The file behind a loop device, if any. */
export async function loopBackingFile(name: string): Promise<string | undefined> {
  return readText(`/sys/block/${name}/loop/backing_file`);
}

/** Mounted block devices (major:minor) → mount points, from /proc/self/mountinfo. */
export async function mountedDevices(): Promise<Map<string, string[]>> {
  const text = (await readText('/proc/self/mountinfo')) ?? '';
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const majMin = f[2];
    const mountPoint = f[4];
    if (!majMin || !mountPoint || majMin.startsWith('0:')) continue;
    const list = out.get(majMin) ?? [];
    list.push(mountPoint.replace(/\\040/g, ' '));
    out.set(majMin, list);
  }
  return out;
}

/** Devices in use as swap, from /proc/swaps. */
export async function swapDevices(): Promise<string[]> {
  const text = (await readText('/proc/swaps')) ?? '';
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((d) => d.startsWith('/dev/'));
}

/** Devices that hold this one open (device-mapper, md) from /sys/…/holders. */
export async function holders(name: string): Promise<string[]> {
  try {
    return await readdir(`/sys/class/block/${name}/holders`);
  } catch {
    return [];
  }
}

/** Stable names in /dev/disk/by-id that point at device. */
export async function stableIds(device: string): Promise<string[]> {
  const dir = '/dev/disk/by-id';
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const target = await realpath(device);
  const out: string[] = [];
  for (const e of entries) {
    try {
      const link = path.resolve(dir, await readlink(path.join(dir, e)));
      if (link === target) out.push(path.join(dir, e));
    } catch {
      /* a dangling link is not ours */
    }
  }
  return out.sort();
}

/** The disk that the live system booted from (live-boot mounts it at /run/live/medium), as a kernel name. */
export async function liveMediumDisk(): Promise<string | undefined> {
  const mounts = (await readText('/proc/self/mountinfo')) ?? '';
  for (const line of mounts.split('\n')) {
    const f = line.split(' ');
    if (f[4] === '/run/live/medium' && f[2]) return wholeDiskName(f[2]);
  }
  return undefined;
}

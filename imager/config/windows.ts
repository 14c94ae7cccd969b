// A Windows system's registry from its NTFS volume (mounted read-only through ntfs-3g): the hive files of the machine
// (SYSTEM, SOFTWARE, SAM, SECURITY, DEFAULT) and each user's NTUSER.DAT, copied byte for byte, plus the boot
// configuration store of a BIOS system (Boot/BCD). NTFS names are found without regard to case, as Windows does.
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathNoCase } from './inside-root.js';
import type { ConfigOut } from './kept.js';

export const machineHives = ['SYSTEM', 'SOFTWARE', 'SAM', 'SECURITY', 'DEFAULT'];

/** The hive folder (Windows/System32/config as spelled on the volume), or undefined when this is no Windows system. */
export async function windowsOn(mounted: string): Promise<string | undefined> {
  return pathNoCase(mounted, 'Windows/System32/config');
}

async function isFile(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => undefined))?.isFile() === true;
}

/** Keeps the registry's hives of the Windows system on mounted in out, under the paths they have there. */
export async function keepWindows(mounted: string, hives: string, out: ConfigOut): Promise<void> {
  for (const h of machineHives) {
    const rel = await pathNoCase(mounted, `${hives}/${h}`);
    if (rel && (await isFile(path.join(mounted, rel)))) await out.copy(path.join(mounted, rel), rel);
  }
  const users = await pathNoCase(mounted, 'Users');
  if (users) {
    for (const u of (await readdir(path.join(mounted, users)).catch(() => [] as string[])).sort()) {
      // A junction (All Users, Default User) shows as a link whose target is outside this mount: never followed.
      if (!(await lstat(path.join(mounted, users, u)).catch(() => undefined))?.isDirectory()) continue;
      const rel = await pathNoCase(mounted, `${users}/${u}/NTUSER.DAT`);
      if (rel && (await isFile(path.join(mounted, rel)))) await out.copy(path.join(mounted, rel), rel);
    }
  }
  const bcd = await pathNoCase(mounted, 'Boot/BCD');
  if (bcd && (await isFile(path.join(mounted, bcd)))) await out.copy(path.join(mounted, bcd), bcd);
}

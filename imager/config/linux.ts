// A Linux system's configuration from its root filesystem (mounted read-only): /etc whole as an archive that keeps
// owners, modes, links and extended attributes (GNU tar), the installed packages as the package manager lists them,
// and the files a person looks for first (fstab, crypttab, os-release, the boot loader's config) as plain copies.
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Runner } from '../../core/runner/run.js';
import { fileInside, resolveInside } from './inside-root.js';
import type { ConfigOut } from './kept.js';

/** The files copied as they are (besides the archive), when present; links are followed inside the root. */
export const linuxPlainFiles = ['etc/fstab', 'etc/crypttab', 'etc/os-release', 'etc/hostname', 'etc/default/grub', 'boot/grub/grub.cfg', 'boot/grub2/grub.cfg'];

/** The archive of /etc in the kept folder. */
export const etcArchive = 'etc.tar';

/** The package list in the kept folder (dpkg-query's status, name:arch, version). */
export const dpkgList = 'packages-dpkg.txt';

/** Where the system's root is on a mounted filesystem: its top, or a btrfs subvolume named as Ubuntu and openSUSE name it. */
export async function linuxRootOn(mounted: string): Promise<string | undefined> {
  for (const sub of ['', '@', '@rootfs', 'root']) {
    const root = path.join(mounted, sub);
    if ((await fileInside(root, 'etc/os-release')) || (await fileInside(root, 'etc/fstab'))) return root;
  }
  return undefined;
}

/** A separate /boot partition: the boot loader's files at its top. */
export async function bootOn(mounted: string): Promise<boolean> {
  return (await fileInside(mounted, 'grub/grub.cfg')) !== undefined || (await fileInside(mounted, 'grub2/grub.cfg')) !== undefined || (await fileInside(mounted, 'loader/loader.conf')) !== undefined;
}

/** os-release's PRETTY_NAME (or NAME), inside the root. */
export async function systemName(root: string): Promise<string | undefined> {
  const file = await fileInside(root, 'etc/os-release');
  if (!file) return undefined;
  const text = await readFile(file, 'utf8').catch(() => '');
  const field = (k: string) => new RegExp(`^${k}=("?)(.*)\\1$`, 'm').exec(text)?.[2];
  return field('PRETTY_NAME') ?? field('NAME');
}

/** Keeps root's configuration in out. */
export async function keepLinux(runner: Runner, root: string, out: ConfigOut): Promise<void> {
  const etc = await resolveInside(root, 'etc');
  if (etc) {
    // -C the root and the member etc: the archive lists etc/… as the system has it; numeric owners, because the
    // rescue system's user database is not the source's.
    await runner.run('tar', ['--create', '--file', await out.place(etcArchive), '--numeric-owner', '--xattrs', '--acls', '--sparse', '-C', path.dirname(etc), path.basename(etc)], { hint: 'the source filesystem may be damaged: check it with fsck' });
  }
  const admindir = await resolveInside(root, 'var/lib/dpkg');
  if (admindir && (await access(path.join(admindir, 'status')).then(() => true, () => false))) {
    const { stdout } = await runner.run('dpkg-query', [`--admindir=${admindir}`, '--show', '--showformat=${db:Status-Abbrev} ${binary:Package} ${Version}\\n']);
    await writeFile(await out.place(dpkgList), stdout.endsWith('\n') ? stdout : `${stdout}\n`);
  }
  for (const rel of linuxPlainFiles) {
    const file = await fileInside(root, rel);
    if (file) await out.copy(file, rel);
  }
}

/** A separate /boot partition's boot loader files. */
export async function keepBoot(mounted: string, out: ConfigOut): Promise<void> {
  for (const rel of ['grub/grub.cfg', 'grub2/grub.cfg', 'loader/loader.conf']) {
    const file = await fileInside(mounted, rel);
    if (file) await out.copy(file, rel);
  }
  const entries = await resolveInside(mounted, 'loader/entries');
  if (entries) {
    for (const e of (await readdir(entries).catch(() => [] as string[])).filter((n) => n.endsWith('.conf')).sort()) {
      const file = await fileInside(mounted, `loader/entries/${e}`);
      if (file) await out.copy(file, `loader/entries/${e}`);
    }
  }
}

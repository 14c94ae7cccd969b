// An EFI system partition's boot configuration, read with mtools from the unmounted FAT (no mount: the rescue host
// may have no vfat driver, and nothing is written): the list of its files, and the boot loaders' own configuration
// (GRUB's grub.cfg per vendor folder, Windows' BCD store, systemd-boot's loader.conf and entries).
import { writeFile } from 'node:fs/promises';
import type { Runner } from '../../core/runner/run.js';
import type { ConfigOut } from './kept.js';

/** The list of the ESP's files in the kept folder (mdir's bare listing). */
export const espListing = 'esp-files.txt';

const mtoolsEnv = { MTOOLS_SKIP_CHECK: '1', LC_ALL: 'C' };

/** Which of the ESP's files are kept: the boot loaders' configuration, by path regardless of case. */
export function espKeeps(file: string): boolean {
  return /^EFI\/[^/]+\/grub\.cfg$/i.test(file) || /^EFI\/Microsoft\/Boot\/BCD$/i.test(file) || /^loader\/loader\.conf$/i.test(file) || /^loader\/entries\/[^/]+\.conf$/i.test(file);
}

/** The ESP's files from mdir -/ -b (::/EFI/BOOT/BOOTX64.EFI per line; folders end in /), as paths without ::/. */
export function parseMdirBare(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('::/') && !l.endsWith('/'))
    .map((l) => l.slice(3));
}

/** Whether the FAT on device is an ESP (an EFI folder at its top), and its files. */
export async function espFiles(runner: Runner, device: string): Promise<string[] | undefined> {
  const { stdout } = await runner.run('mdir', ['-/', '-b', '-i', device, '::/'], { env: mtoolsEnv, hint: 'the FAT filesystem may be damaged: check it with fsck.fat -n' });
  const files = parseMdirBare(stdout);
  return files.some((f) => /^EFI\//i.test(f)) ? files : undefined;
}

/** Keeps the ESP's file list and its boot configuration in out. */
export async function keepEsp(runner: Runner, device: string, files: string[], out: ConfigOut): Promise<void> {
  await writeFile(await out.place(espListing), files.map((f) => `/${f}\n`).join(''));
  for (const f of files.filter(espKeeps)) {
    await runner.run('mcopy', ['-n', '-m', '-i', device, `::/${f}`, await out.place(f)], { env: mtoolsEnv });
  }
}

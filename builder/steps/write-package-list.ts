// Stage: the exact Debian packages and versions in the live system, beside the ISO (the mirror moves; this does not).
import { writeFile } from 'node:fs/promises';
import type { InstalledPackage } from '../context.js';
import type { Step } from '../driver.js';

/** The package list's file name: the ISO's with .packages instead of .iso. */
export function packageListName(isoPath: string): string {
  return isoPath.replace(/\.iso$/, '.packages');
}

export function formatPackageList(packages: readonly InstalledPackage[]): string {
  return packages.map((p) => `${p.name} ${p.version}\n`).join('');
}

export const writePackageList: Step = {
  name: 'write package list',
  async run(ctx) {
    const packages = ctx.state.packages;
    if (!packages) throw new Error('no package list: bootstrap root must run first');
    const file = packageListName(ctx.paths.iso);
    await writeFile(file, formatPackageList(packages));
    ctx.state.written.push(file);
    return `${packages.length} packages`;
  },
};

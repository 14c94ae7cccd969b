// The ISO's kernel and initrd, copied out so QEMU can boot them with -kernel/-initrd/-append and a command line of
// the caller's own (the unattended-job tests and the guest-RAM benchmark).
import path from 'node:path';
import { isoInitrd, isoKernel } from '../builder/boot/grub-cfg.js';
import { defaultCacheDir } from '../builder/cache.js';
import { ensureToolsTree } from '../builder/tools-tree.js';
import { Runner } from '../core/runner/run.js';
import { defaultIsoConfig } from '../iso-config/load.js';

/** Copies them into dir with the tools tree's xorriso (the host kernel may lack iso9660). */
export async function extractKernel(iso: string, dir: string): Promise<{ kernel: string; initrd: string }> {
  const { tree } = await ensureToolsTree(defaultCacheDir(), defaultIsoConfig(), new Runner(), {});
  const kernel = path.join(dir, 'vmlinuz');
  const initrd = path.join(dir, 'initrd.img');
  const isoPath = path.resolve(iso);
  await tree.run(['xorriso', '-osirrox', 'on', '-indev', isoPath, '-extract', isoKernel, kernel, '-extract', isoInitrd, initrd], {
    ro: [path.dirname(isoPath)],
    rw: [dir],
  });
  return { kernel, initrd };
}

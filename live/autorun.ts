// The unattended job of the live system (lifeboat.job=… on the kernel command line) as a plan: which store to
// mount where, and the lifeboat command line to run. Pure, so it is tested without booting anything.
import type { AutorunParams } from '../core/live/cmdline.js';

export const storeMountPoint = '/run/lifeboat/store';

export interface AutorunPlan {
  /** mount's argv (without the program), to make the store available. */
  mount: string[];
  /** lifeboat's argv (without the program). */
  lifeboat: string[];
  after: 'poweroff' | 'reboot' | 'shell';
}

/** "LABEL=BACKUPS:/images" → device LABEL=BACKUPS, folder /images; "/dev/sdb1" → the device's top folder. */
export function splitStore(store: string): { device: string; folder: string } {
  const at = store.indexOf(':/');
  return at < 0 ? { device: store, folder: '' } : { device: store.slice(0, at), folder: store.slice(at + 1).replace(/\/+$/, '') };
}

function stamp(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}`;
}

/** The plan for the kernel's lifeboat.* parameters, or an error in words when they do not make a job. */
export function planAutorun(p: AutorunParams, now: Date = new Date()): AutorunPlan | { error: string } {
  if (!p.job || p.job === 'none') return { error: 'no job (lifeboat.job is not set, or none)' };
  const after = p.after ?? 'shell';
  if (after !== 'poweroff' && after !== 'reboot' && after !== 'shell') return { error: `lifeboat.after=${after}: use poweroff, reboot or shell` };
  if (!p.store) return { error: `lifeboat.job=${p.job} needs lifeboat.store=` };
  const { device, folder } = splitStore(p.store);
  const readOnly = p.job !== 'backup';
  const mount = [...(readOnly ? ['-o', 'ro'] : []), device, storeMountPoint];
  const image = (name: string) => `${storeMountPoint}${folder}/${name}`;
  switch (p.job) {
    case 'backup':
      if (!p.disk) return { error: 'lifeboat.job=backup needs lifeboat.disk=' };
      return { mount, lifeboat: ['backup', p.disk, image(p.image ?? `lifeboat-${stamp(now)}`)], after };
    case 'restore':
      if (!p.disk || !p.image) return { error: 'lifeboat.job=restore needs lifeboat.disk= and lifeboat.image=' };
      return { mount, lifeboat: ['restore', image(p.image), p.disk, '--yes'], after };
    case 'verify':
      if (!p.image) return { error: 'lifeboat.job=verify needs lifeboat.image=' };
      return { mount, lifeboat: ['verify', image(p.image)], after };
    default:
      return { error: `lifeboat.job=${p.job}: use backup, restore or verify` };
  }
}

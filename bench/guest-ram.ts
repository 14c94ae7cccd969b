// Guest-RAM section: the smallest guest RAM (512, 768, 1024 MiB, in that order) with which the ISO completes an
// unattended backup and restore, the way test/builder/unattended.test.ts runs them: the ISO's kernel and initrd
// booted by QEMU (TCG) with the boot menu's parameters plus lifeboat.job=…, the ISO as the CD and disk files on
// virtio; the restored disk's files compared with the source's on the host.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { kernelParams } from '../builder/boot/kernel-params.js';
import { defaultIsoConfig } from '../iso-config/load.js';
import { extractKernel } from '../harness/extract-kernel.js';
import { fillFilesystem } from './disk.js';
import { attach, detach, log, mounted, sh } from './process.js';
import { bootKernel } from './qemu-boot.js';
import { type Args } from './settings.js';

export const ramSizesMiB = [512, 768, 1024] as const;
const bootTimeoutMs = 10 * 60_000;
const success = /lifeboat: the job succeeded; poweroff now\./;

export interface RamTry {
  memoryMiB: number;
  backup: { ok: boolean; seconds: number; why?: string };
  restore?: { ok: boolean; seconds: number; why?: string };
  /** The restored files are the source's, byte for byte. */
  verified?: boolean;
}

export interface GuestRamResult {
  iso: string;
  sourceUsedBytes: number;
  tries: RamTry[];
  /** The smallest size that did both and verified; null if none did. */
  smallestMiB: number | null;
}

async function withMounted<T>(dev: string, dir: string, fn: (mnt: string) => Promise<T>, ro = false): Promise<T> {
  const mnt = await mkdtemp(path.join(dir, 'mnt-'));
  await sh('mount', [...(ro ? ['-o', 'ro'] : []), dev, mnt]);
  mounted.add(mnt);
  try {
    return await fn(mnt);
  } finally {
    await sh('umount', [mnt], { allowFail: true });
    mounted.delete(mnt);
    await rm(mnt, { recursive: true, force: true });
  }
}

/** Makes a disk file with an sfdisk script and one ext4 partition, filled by fill. */
async function makeDisk(file: string, mib: number, label: string, dir: string, fill: (mnt: string) => Promise<void>): Promise<void> {
  await rm(file, { force: true });
  await sh('truncate', ['-s', `${mib}M`, file]);
  await sh('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', file], { input: 'label: gpt\ntype=0FC63DAF-8483-4772-8E79-3D69E4779FBE\n' });
  const dev = await attach(file, false);
  try {
    await sh('mkfs.ext4', ['-q', '-F', '-L', label, `${dev}p1`]);
    await withMounted(`${dev}p1`, dir, fill);
  } finally {
    await detach(dev);
  }
}

/** One hash over every file's path and content. */
async function treeHash(file: string, dir: string): Promise<string> {
  const dev = await attach(file, true);
  try {
    return await withMounted(`${dev}p1`, dir, async (m) => (await sh('bash', ['-c', 'cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum', 'tree', m])).stdout.trim(), true);
  } finally {
    await detach(dev);
  }
}

export async function runGuestRam(args: Args, iso: string): Promise<GuestRamResult> {
  const dir = path.join(args.dir, 'guest-ram');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    const kernel = await extractKernel(iso, dir);
    const config = defaultIsoConfig();
    const entry = config.boot.entries.find((e) => e.id === config.boot.default) ?? config.boot.entries[0]!;
    const menu = kernelParams(config, entry);
    const files = { source: path.join(dir, 'source.img'), store: path.join(dir, 'store.img'), target: path.join(dir, 'target.img') };
    // ~100 MiB of the imager benchmark's mix (random, log-like text, repetitive) on a 512 MiB GPT disk.
    let used = 0;
    await makeDisk(files.source, 512, 'ramsource', dir, async (m) => {
      const w = await fillFilesystem(m, 0.05);
      used = w.randomBytes + w.textBytes + w.repeatedBytes;
    });
    const sourceHash = await treeHash(files.source, dir);
    const tries: RamTry[] = [];
    let smallestMiB: number | null = null;
    for (const memoryMiB of ramSizesMiB) {
      await makeDisk(files.store, 1024, 'STORE', dir, (m) => mkdir(path.join(m, 'images')).then(() => undefined));
      await rm(files.target, { force: true });
      await sh('truncate', ['-s', '512M', files.target]);
      const job = (params: string[], disks: string[]) => bootKernel({ ...kernel, iso, disks, memoryMiB, append: [...menu, ...params, 'lifeboat.store=LABEL=STORE:/images', 'lifeboat.image=ram', 'lifeboat.after=poweroff'].join(' '), timeoutMs: bootTimeoutMs });
      const outcome = (r: { serial: string; seconds: number; poweredOff: boolean }) => {
        const ok = r.poweredOff && success.test(r.serial);
        const why = ok ? undefined : /Out of memory|oom-kill|Kernel panic[^\n]*/i.exec(r.serial)?.[0] ?? (r.poweredOff ? 'no success line' : 'did not power off in time');
        return { ok, seconds: r.seconds, ...(why ? { why } : {}) };
      };
      const t: RamTry = { memoryMiB, backup: outcome(await job(['lifeboat.job=backup', 'lifeboat.disk=/dev/vda'], [files.source, files.store])) };
      log(args, `  ${memoryMiB} MiB: backup ${t.backup.ok ? 'ok' : `FAILED (${t.backup.why})`} in ${t.backup.seconds.toFixed(0)} s`);
      if (t.backup.ok) {
        t.restore = outcome(await job(['lifeboat.job=restore', 'lifeboat.disk=/dev/vdb'], [files.store, files.target]));
        log(args, `  ${memoryMiB} MiB: restore ${t.restore.ok ? 'ok' : `FAILED (${t.restore.why})`} in ${t.restore.seconds.toFixed(0)} s`);
        if (t.restore.ok) t.verified = (await treeHash(files.target, dir)) === sourceHash;
      }
      tries.push(t);
      if (t.verified) {
        smallestMiB = memoryMiB;
        break;
      }
    }
    return { iso, sourceUsedBytes: used, tries, smallestMiB };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

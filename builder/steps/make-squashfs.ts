// Stage: the live root compressed into /live/filesystem.squashfs (live-boot finds it there at boot).
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SquashfsCompression } from '../../iso-config/config.js';
import { toolsOf } from '../context.js';
import type { Step } from '../driver.js';

export const squashfsImage = 'live/filesystem.squashfs';

/** mksquashfs's compressor options per compression; a missing level keeps the tool's default (zstd: 15). */
export const compressionArgs: Record<SquashfsCompression, (level: number | undefined) => string[]> = {
  zstd: (level) => ['-comp', 'zstd', ...(level === undefined ? [] : ['-Xcompression-level', String(level)])],
  gzip: (level) => ['-comp', 'gzip', ...(level === undefined ? [] : ['-Xcompression-level', String(level)])],
  lzo: (level) => ['-comp', 'lzo', ...(level === undefined ? [] : ['-Xcompression-level', String(level)])],
  xz: () => ['-comp', 'xz'],
  lz4: () => ['-comp', 'lz4', '-Xhc'],
};

/** The kernel and initrd boot from the ISO itself; inside the squashfs they would only take space. */
export const squashfsExcludes: readonly string[] = ['boot/vmlinuz*', 'boot/initrd.img*'];

export function mksquashfsArgs(root: string, image: string, compression: SquashfsCompression, level: number | undefined, jobs: number): string[] {
  return [root, image, '-noappend', ...compressionArgs[compression](level), '-processors', String(jobs), '-no-progress', '-wildcards', '-e', ...squashfsExcludes];
}

export const makeSquashfs: Step = {
  name: 'make squashfs',
  async run(ctx) {
    const image = path.join(ctx.paths.staging, squashfsImage);
    await mkdir(path.dirname(image), { recursive: true });
    const { compression, level } = ctx.config.squashfs;
    await toolsOf(ctx).run(['mksquashfs', ...mksquashfsArgs(ctx.paths.root, image, compression, level, ctx.options.jobs)], {
      ro: [ctx.paths.root],
      rw: [path.dirname(image)],
      signal: ctx.signal,
    });
    const bytes = (await stat(image)).size;
    return `${(bytes / 1024 / 1024).toFixed(0)} MiB, ${compression}${level === undefined ? '' : ` level ${level}`}`;
  },
};

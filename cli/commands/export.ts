// lifeboat export restic:REPO[#SNAPSHOT] IMAGE_DIR: a repository backup as a folder image in Clonezilla's layout.
import type { CommandModule } from 'yargs';
import { RefusedError, UsageError } from '../../core/errors.js';
import { bytes, duration, parseSize } from '../../core/format.js';
import { checkLevel, codecByName } from '../../imager/codec/codecs.js';
import { exportJob } from '../../imager/jobs/export.js';
import { storeOfImagePath } from '../../imager/jobs/image-path.js';
import { isRepositoryUri } from '../../imager/repository/uri.js';
import { makeContext } from '../context.js';
import { storeAccessFor, withStoreAccessOptions } from '../store-access.js';

interface Args {
  source: string;
  image: string;
  compress: string;
  level: number | undefined;
  split: string | undefined;
  json: boolean;
  sshKey: string | undefined;
  knownHosts: string | undefined;
  passwordFile?: string | undefined;
}

export const exportCommand: CommandModule<object, Args> = {
  command: 'export <source> <image>',
  describe: "Write a backup of an image repository as a folder image in Clonezilla's layout (restorable by ocs-sr and lifeboat restore)",
  builder: (y) =>
    withStoreAccessOptions(y)
      .positional('source', { type: 'string', demandOption: true, describe: 'restic:REPO[#SNAPSHOT] (without #…: the newest backup, when the repository holds one disk)' })
      .positional('image', { type: 'string', demandOption: true, describe: 'New image directory (must not exist), or ssh://user@host[:port]/path/name' })
      .option('compress', { type: 'string', default: 'zstd', describe: 'zstd, gzip, xz or none' })
      .option('level', { type: 'number', describe: 'Compression level (zstd 1-19, gzip 1-9, xz 0-9)' })
      .option('split', { type: 'string', describe: 'Split image files into pieces of SIZE (e.g. 4000M for FAT32 stores)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON Lines events and a JSON result' }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    if (!isRepositoryUri(argv.source)) throw new UsageError(`export reads a backup in an image repository, not ${argv.source}`, 'give restic:REPO[#SNAPSHOT]; a folder image is copied with cp -a');
    if (isRepositoryUri(argv.image)) throw new UsageError('export writes a folder image, not into a repository', 'give a new folder, e.g. /mnt/stick/pc');
    const codec = codecByName(argv.compress);
    const level = checkLevel(codec, argv.level);
    const splitBytes = argv.split !== undefined ? parseSize(argv.split) : undefined;
    if (splitBytes !== undefined && splitBytes < 1024 * 1024) throw new RefusedError(`--split ${argv.split} is too small`, 'use at least 1M');
    const access = await storeAccessFor(argv, [argv.source, argv.image], 'read');
    const source = storeOfImagePath(argv.source, access);
    const target = storeOfImagePath(argv.image, access);
    if (source.store.kind !== 'restic') throw new UsageError(`${argv.source} is not an image repository`);
    const r = await exportJob(ctx.runner, { repository: source.store, snapshot: source.image, store: target.store, name: target.image, codec, level, splitBytes, onEvent: (e) => ctx.out.event(e), signal: ctx.signal });
    const size = Object.values(r.manifest.files).reduce((n, f) => n + f.bytes, 0);
    const seconds = r.manifest.timings['exportSeconds'];
    ctx.out.result({ type: 'result', ok: true, source: r.source, image: r.image, state: r.manifest.state, bytes: size, seconds, partitions: r.manifest.partitions.length, compression: r.manifest.compression }, [
      `Exported ${r.source} to ${r.image}: ${bytes(size)} (${codec.name}) in ${duration(seconds)}${r.manifest.state === 'complete-with-unreadable-sectors' ? ', complete with unreadable sectors' : ''}`,
    ]);
  },
};

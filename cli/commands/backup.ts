// lifeboat backup DISK IMAGE_DIR: saves a whole disk as a Clonezilla-layout image with a manifest.
import type { CommandModule } from 'yargs';
import { executeBackup } from '../../imager/backup/execute.js';
import { describeBackupPlan } from '../../imager/backup/plan.js';
import { prepareBackup } from '../../imager/backup/prepare.js';
import { checkLevel, codecByName } from '../../imager/codec/codecs.js';
import { RefusedError } from '../../core/errors.js';
import { throwIfRefused } from '../../imager/plan/refusals.js';
import { bytes, duration, parseSize } from '../../core/format.js';
import { makeContext } from '../context.js';

interface Args {
  disk: string;
  image: string;
  compress: string;
  level: number | undefined;
  split: string | undefined;
  yes: boolean;
  json: boolean;
  dryRun: boolean;
}

export const backupCommand: CommandModule<object, Args> = {
  command: 'backup <disk> <image>',
  describe: 'Save a whole disk (table, boot records, every partition) into a new image directory',
  builder: (y) =>
    y
      .positional('disk', { type: 'string', demandOption: true, describe: 'Source disk: /dev/sda, /dev/nvme0n1, /dev/disk/by-id/…' })
      .positional('image', { type: 'string', demandOption: true, describe: 'New image directory (must not exist)' })
      .option('compress', { type: 'string', default: 'zstd', describe: 'zstd, gzip, xz or none' })
      .option('level', { type: 'number', describe: 'Compression level (zstd 1-19, gzip 1-9, xz 0-9)' })
      .option('split', { type: 'string', describe: 'Split image files into pieces of SIZE (e.g. 4000M for FAT32 stores)' })
      .option('yes', { type: 'boolean', default: false, describe: 'Do not ask (backup only reads the disk; accepted for symmetry)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan and stop; changes nothing (no folder, no partition nodes)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON Lines events and a JSON result' }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const codec = codecByName(argv.compress);
    const level = checkLevel(codec, argv.level);
    const splitBytes = argv.split !== undefined ? parseSize(argv.split) : undefined;
    if (splitBytes !== undefined && splitBytes < 1024 * 1024) throw new RefusedError(`--split ${argv.split} is too small`, 'use at least 1M');
    const plan = await prepareBackup(ctx.runner, argv.disk, argv.image, { codec, level, splitBytes }, { dryRun: argv.dryRun });
    throwIfRefused(plan.refusals);
    if (argv.dryRun) {
      ctx.out.result({ plan: describeBackupPlan(plan) }, describeBackupPlan(plan));
      return;
    }
    if (!ctx.json) process.stderr.write(`${describeBackupPlan(plan).join('\n')}\n`);
    const r = await executeBackup(plan, ctx.runner, (e) => ctx.out.event(e), ctx.signal);
    const size = Object.values(r.manifest.files).reduce((n, f) => n + f.bytes, 0);
    ctx.out.result(
      { type: 'result', ok: true, image: r.imageDir, bytes: size, seconds: r.manifest.timings['totalSeconds'], partitions: r.manifest.partitions.length },
      [`Saved ${plan.disk.device} to ${r.imageDir}: ${bytes(size)} in ${duration(r.manifest.timings['totalSeconds'])}`],
    );
  },
};

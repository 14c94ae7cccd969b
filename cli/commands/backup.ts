// lifeboat backup DISK IMAGE_DIR: saves a whole disk as a Clonezilla-layout image with a manifest.
import type { CommandModule } from 'yargs';
import { throwIfRefused } from '../../imager/plan/refusals.js';
import { describeBackupPlan } from '../../imager/backup/plan.js';
import type { ImagerEvent } from '../../imager/events.js';
import { backupJob, planBackupJob } from '../../imager/jobs/backup.js';
import { storeOfImagePath } from '../../imager/jobs/image-path.js';
import { checkLevel, codecByName } from '../../imager/codec/codecs.js';
import { RefusedError, UsageError } from '../../core/errors.js';
import { parseStoreRef } from '../../imager/store/open.js';
import { bytes, duration, parseSize } from '../../core/format.js';
import { unreadableLines } from '../../imager/rescue/partition.js';
import { makeContext } from '../context.js';
import { storeAccessFor, withStoreAccessOptions } from '../store-access.js';
import { isRepositoryUri } from '../../imager/repository/uri.js';
import { newPassphrase, withPassphraseOptions } from '../passphrase.js';
import { runningFrom, withRunningOptions, type RunningArgs } from '../running-options.js';

interface Args extends RunningArgs {
  disk: string;
  image: string | undefined;
  store: string | undefined;
  compress: string;
  level: number | undefined;
  split: string | undefined;
  rescue: boolean;
  yes: boolean;
  json: boolean;
  dryRun: boolean;
  sshKey: string | undefined;
  passwordFile?: string | undefined;
  knownHosts: string | undefined;
  encrypt: boolean;
  passphraseFile: string | undefined;
}

export const backupCommand: CommandModule<object, Args> = {
  command: 'backup <disk> [image]',
  describe: 'Save a whole disk (table, boot records, every partition) into a new image directory',
  builder: (y) =>
    withRunningOptions(withPassphraseOptions(withStoreAccessOptions(y)))
      .positional('disk', { type: 'string', demandOption: true, describe: 'Source disk: /dev/sda, /dev/nvme0n1, /dev/disk/by-id/…' })
      .positional('image', { type: 'string', describe: 'New image directory (must not exist), ssh://user@host[:port]/path/name, or a restic repository (restic:PATH, restic:sftp:user@host:/path, restic:rest:http://host:port/); with --store, the image\'s name in the store' })
      .option('store', { type: 'string', describe: 'The store: a folder, a partition (/dev/sdb1, mounted for the job), LABEL=NAME:/folder or ssh://user@host[:port]/path; the image is named <disk>-<date> unless given' })
      .option('compress', { type: 'string', default: 'zstd', describe: 'zstd, gzip, xz or none' })
      .option('level', { type: 'number', describe: 'Compression level (zstd 1-19, gzip 1-9, xz 0-9)' })
      .option('split', { type: 'string', describe: 'Split image files into pieces of SIZE (e.g. 4000M for FAT32 stores)' })
      .option('rescue', { type: 'boolean', default: false, describe: 'Go on past unreadable sectors (partclone\'s rescue mode, one sector-by-sector retry); the manifest records them and the files they hit' })
      .option('encrypt', { type: 'boolean', default: false, describe: "Encrypt the image with gocryptfs, in Clonezilla's layout (passphrase typed twice, or --passphrase-file)" })
      .option('yes', { type: 'boolean', default: false, describe: 'Do not ask (backup only reads the disk; accepted for symmetry)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan and stop; changes nothing (no folder, no partition nodes)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON Lines events and a JSON result' }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const codec = codecByName(argv.compress);
    const level = checkLevel(codec, argv.level);
    const splitBytes = argv.split !== undefined ? parseSize(argv.split) : undefined;
    const running = runningFrom(argv);
    if (splitBytes !== undefined && splitBytes < 1024 * 1024) throw new RefusedError(`--split ${argv.split} is too small`, 'use at least 1M');
    if (argv.image === undefined && argv.store === undefined) throw new UsageError('backup needs an image directory, or --store', 'lifeboat backup /dev/sda /mnt/stick/pc, or lifeboat backup /dev/sda --store /mnt/stick');
    const access = await storeAccessFor(argv, [argv.store, argv.image], 'write');
    // A repository is the store itself: every backup is a new snapshot, named by the one rule unless --store names it.
    const repository = argv.store === undefined && isRepositoryUri(argv.image!);
    const { store, image } = argv.store !== undefined ? { store: parseStoreRef(argv.store, access), image: argv.image } : repository ? { store: parseStoreRef(argv.image!, access), image: undefined } : storeOfImagePath(argv.image!, access);
    if (argv.passphraseFile !== undefined && !argv.encrypt) throw new UsageError('--passphrase-file is for an encrypted backup', 'add --encrypt, or leave --passphrase-file out');
    // Asked once the plan is shown and before anything is written (a dry run never asks).
    const encrypt = argv.encrypt ? newPassphrase(argv.passphraseFile, ctx.signal) : undefined;
    const req = { disk: argv.disk, store, name: image, codec, level, splitBytes, rescue: argv.rescue, encrypt, running, onEvent: (e: ImagerEvent) => ctx.out.event(e), signal: ctx.signal };
    if (argv.dryRun) {
      const { plan } = await planBackupJob(ctx.runner, req);
      throwIfRefused(plan.refusals);
      ctx.out.result({ plan: describeBackupPlan(plan) }, describeBackupPlan(plan));
      return;
    }
    const r = await backupJob(ctx.runner, {
      ...req,
      confirm: async (plan) => {
        if (!ctx.json) process.stderr.write(`${describeBackupPlan(plan).join('\n')}\n`);
        return true;
      },
    });
    const manifest = r.manifest!;
    const size = Object.values(manifest.files).reduce((n, f) => n + f.bytes, 0);
    const unreadable = manifest.partitions.flatMap((p) => (p.unreadable ? [{ partition: p.name, ...p.unreadable }] : []));
    const added = r.addedBytes !== undefined ? `, ${bytes(r.addedBytes)} of new data added to the repository` : '';
    ctx.out.result(
      { type: 'result', ok: true, image: r.image, state: manifest.state, bytes: size, seconds: manifest.timings['totalSeconds'], partitions: manifest.partitions.length, ...(unreadable.length ? { unreadable } : {}), ...(r.addedBytes !== undefined ? { addedBytes: r.addedBytes } : {}) },
      [
        `Saved ${r.plan.disk.device} to ${r.image}: ${bytes(size)} in ${duration(manifest.timings['totalSeconds'])}${added}${unreadable.length ? ', complete with unreadable sectors:' : ''}`,
        ...unreadableLines(manifest.partitions).map((l) => `  ${l}`),
      ],
    );
  },
};

// lifeboat restore IMAGE_DIR DISK: writes an image back onto a disk, after checks and a confirmation.
import type { CommandModule } from 'yargs';
import type { ImagerEvent } from '../../imager/events.js';
import { storeOfImagePath } from '../../imager/jobs/image-path.js';
import { planRestoreJob, restoreJob } from '../../imager/jobs/restore.js';
import { describeRestorePlan } from '../../imager/restore/plan.js';
import { confirmedJob } from '../confirmed-job.js';
import { duration } from '../../core/format.js';
import { makeContext } from '../context.js';
import { restorePartitionCommand } from './restore-partition.js';
import { storeAccessFor, withStoreAccessOptions } from '../store-access.js';
import { UsageError } from '../../core/errors.js';
import { readLayoutFile } from '../../imager/layout/layout-file.js';
import { existingPassphrase, withPassphraseOptions } from '../passphrase.js';

interface Args {
  image: string;
  disk: string;
  bootOnly: boolean;
  grow: boolean;
  shrink: boolean;
  yes: boolean;
  json: boolean;
  dryRun: boolean;
  partition: string | undefined;
  layout: string | undefined;
  sshKey: string | undefined;
  passwordFile?: string | undefined;
  knownHosts: string | undefined;
  passphraseFile: string | undefined;
}

export const restoreCommand: CommandModule<object, Args> = {
  command: 'restore <image> <disk>',
  describe: 'Restore an image (Lifeboat or Clonezilla) onto a disk; everything on the disk is overwritten',
  builder: (y) =>
    withPassphraseOptions(withStoreAccessOptions(y))
      .positional('image', { type: 'string', demandOption: true, describe: 'Image directory, or ssh://user@host[:port]/path/name' })
      .positional('disk', { type: 'string', demandOption: true, describe: 'Target disk: /dev/sdb, /dev/disk/by-id/…' })
      .option('boot-only', { type: 'boolean', default: false, describe: 'Restore only the boot records (MBR boot code, hidden data after the MBR, EFI system and BIOS boot partitions)' })
      .option('grow', { type: 'boolean', default: false, describe: 'On a larger disk, extend the last partition and its filesystem' })
      .option('shrink', { type: 'boolean', default: false, describe: 'On a smaller disk, shrink the partitions to fit their used data (the plan shows the new sizes)' })
      .option('layout', { type: 'string', describe: "With --shrink: a file of partition sizes to use instead of the rule's, one per line ('2 150GiB'); the others are sized by the rule" })
      .option('partition', { type: 'string', describe: 'Restore only partition N of the image onto partition N (or M) of the disk: N or N:M; nothing else on the disk is written' })
      .option('yes', { type: 'boolean', default: false, describe: 'Do not ask for confirmation' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan and stop; changes nothing (no folder, no partition nodes)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON Lines events and a JSON result' }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    if (argv.partition !== undefined) return restorePartitionCommand({ ...argv, partition: argv.partition }, ctx);
    if (argv.layout !== undefined && !argv.shrink) throw new UsageError('--layout sets the sizes of a smaller layout: it needs --shrink', `lifeboat restore ${argv.image} ${argv.disk} --shrink --layout ${argv.layout}`);
    const sizes = argv.layout === undefined ? undefined : await readLayoutFile(argv.layout);
    const { store, image } = storeOfImagePath(argv.image, await storeAccessFor(argv, [argv.image], 'read'));
    const req = { store, image, disk: argv.disk, bootOnly: argv.bootOnly, grow: argv.grow, shrink: argv.shrink, ...(sizes ? { sizes } : {}), passphrase: existingPassphrase(argv.passphraseFile, ctx.signal), onEvent: (e: ImagerEvent) => ctx.out.event(e), signal: ctx.signal };
    await confirmedJob(ctx, {
      yes: argv.yes,
      dryRun: argv.dryRun,
      what: 'disk',
      plan: () => planRestoreJob(ctx.runner, req),
      describe: describeRestorePlan,
      device: (plan) => plan.target.device,
      run: (confirm, notConfirmedHint) => restoreJob(ctx.runner, { ...req, confirm, notConfirmedHint }),
      result: ({ plan: _plan, ...r }) => ({ json: { type: 'result', ok: true, ...r }, lines: [`Restored ${r.image} onto ${r.device} in ${duration(r.seconds)}`] }),
    });
  },
};

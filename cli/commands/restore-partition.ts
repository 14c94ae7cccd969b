// lifeboat restore IMAGE_DIR DISK --partition N[:M]: one partition of an image onto an existing partition of a disk.
import { UsageError } from '../../core/errors.js';
import { duration } from '../../core/format.js';
import type { ImagerEvent } from '../../imager/events.js';
import { storeOfImagePath } from '../../imager/jobs/image-path.js';
import { storeAccessFor } from '../store-access.js';
import { existingPassphrase } from '../passphrase.js';
import { partitionRestoreJob, planPartitionRestoreJob } from '../../imager/jobs/restore-partition.js';
import { describePartitionRestorePlan } from '../../imager/restore-partition/plan.js';
import { parsePartitionChoice } from '../../imager/restore-partition/prepare.js';
import { confirmedJob } from '../confirmed-job.js';
import type { CommandContext } from '../context.js';

export interface PartitionRestoreArgs {
  image: string;
  disk: string;
  partition: string;
  bootOnly: boolean;
  yes: boolean;
  dryRun: boolean;
  sshKey: string | undefined;
  passwordFile?: string | undefined;
  knownHosts: string | undefined;
  passphraseFile: string | undefined;
}

export async function restorePartitionCommand(argv: PartitionRestoreArgs, ctx: CommandContext): Promise<void> {
  if (argv.bootOnly) throw new UsageError('--partition and --boot-only do not go together', 'restore one partition, or the boot records of the whole disk');
  const { store, image } = storeOfImagePath(argv.image, await storeAccessFor(argv, [argv.image], 'read'));
  const req = { store, image, disk: argv.disk, partition: parsePartitionChoice(argv.partition), passphrase: existingPassphrase(argv.passphraseFile, ctx.signal), onEvent: (e: ImagerEvent) => ctx.out.event(e), signal: ctx.signal };
  await confirmedJob(ctx, {
    yes: argv.yes,
    dryRun: argv.dryRun,
    what: 'partition',
    plan: () => planPartitionRestoreJob(ctx.runner, req),
    describe: describePartitionRestorePlan,
    device: (plan) => plan.target.device,
    run: (confirm, notConfirmedHint) => partitionRestoreJob(ctx.runner, { ...req, confirm, notConfirmedHint }),
    result: ({ plan, ...r }) => ({ json: { type: 'result', ok: true, ...r }, lines: [`Restored partition ${plan.source.number} of ${r.image} onto ${r.device} in ${duration(r.seconds)}`] }),
  });
}

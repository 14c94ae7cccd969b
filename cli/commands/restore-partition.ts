// lifeboat restore IMAGE_DIR DISK --partition N[:M]: one partition of an image onto an existing partition of a disk.
import { UsageError } from '../../core/errors.js';
import { duration } from '../../core/format.js';
import type { ImagerEvent } from '../../imager/events.js';
import { storeOfImagePath } from '../../imager/jobs/image-path.js';
import { partitionRestoreJob, planPartitionRestoreJob } from '../../imager/jobs/restore-partition.js';
import { throwIfRefused } from '../../imager/plan/refusals.js';
import { describePartitionRestorePlan } from '../../imager/restore-partition/plan.js';
import { parsePartitionChoice } from '../../imager/restore-partition/prepare.js';
import { confirmByTyping } from '../confirm.js';
import type { CommandContext } from '../context.js';

export interface PartitionRestoreArgs {
  image: string;
  disk: string;
  partition: string;
  bootOnly: boolean;
  yes: boolean;
  dryRun: boolean;
}

export async function restorePartitionCommand(argv: PartitionRestoreArgs, ctx: CommandContext): Promise<void> {
  if (argv.bootOnly) throw new UsageError('--partition and --boot-only do not go together', 'restore one partition, or the boot records of the whole disk');
  const { store, image } = storeOfImagePath(argv.image);
  const req = { store, image, disk: argv.disk, partition: parsePartitionChoice(argv.partition), onEvent: (e: ImagerEvent) => ctx.out.event(e), signal: ctx.signal };
  if (argv.dryRun) {
    const plan = await planPartitionRestoreJob(ctx.runner, req);
    throwIfRefused(plan.refusals);
    const words = describePartitionRestorePlan(plan);
    ctx.out.result({ plan: words }, words);
    return;
  }
  const r = await partitionRestoreJob(ctx.runner, {
    ...req,
    notConfirmedHint: process.stdin.isTTY ? 'type the partition name exactly' : 'no terminal to ask: pass --yes',
    confirm: async (plan) => {
      const words = describePartitionRestorePlan(plan);
      if (!argv.yes) return confirmByTyping(plan.target.device, words, ctx.signal);
      if (!ctx.json) process.stderr.write(`${words.join('\n')}\n`);
      return true;
    },
  });
  const { plan: _plan, ...result } = r;
  ctx.out.result({ type: 'result', ok: true, ...result }, [`Restored partition ${r.plan.source.number} of ${r.image} onto ${r.device} in ${duration(r.seconds)}`]);
}

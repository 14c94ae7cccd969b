// lifeboat clone SOURCE_DISK TARGET_DISK: copies a disk onto another, no image in between; the source is only read.
import type { CommandModule } from 'yargs';
import { duration } from '../../core/format.js';
import type { ImagerEvent } from '../../imager/events.js';
import { cloneJob, planCloneJob } from '../../imager/jobs/clone.js';
import { describeClonePlan } from '../../imager/clone/plan.js';
import { confirmedJob } from '../confirmed-job.js';
import { makeContext } from '../context.js';

interface Args {
  source: string;
  target: string;
  grow: boolean;
  shrink: boolean;
  yes: boolean;
  json: boolean;
  dryRun: boolean;
}

export const cloneCommand: CommandModule<object, Args> = {
  command: 'clone <source> <target>',
  describe: 'Copy a whole disk onto another (table, boot records, every partition), no image in between; everything on the target is overwritten',
  builder: (y) =>
    y
      .positional('source', { type: 'string', demandOption: true, describe: 'Source disk (only read): /dev/sda, /dev/disk/by-id/…' })
      .positional('target', { type: 'string', demandOption: true, describe: 'Target disk: /dev/sdb, /dev/disk/by-id/…' })
      .option('grow', { type: 'boolean', default: false, describe: 'On a larger target, extend the last partition and its filesystem' })
      .option('shrink', { type: 'boolean', default: false, describe: 'On a smaller target, shrink the partitions to fit their used data (the plan shows the new sizes)' })
      .option('yes', { type: 'boolean', default: false, describe: 'Do not ask for confirmation' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan and stop; changes nothing on either disk' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON Lines events and a JSON result' }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const req = { source: argv.source, target: argv.target, grow: argv.grow, shrink: argv.shrink, onEvent: (e: ImagerEvent) => ctx.out.event(e), signal: ctx.signal };
    await confirmedJob(ctx, {
      yes: argv.yes,
      dryRun: argv.dryRun,
      what: 'disk',
      plan: () => planCloneJob(ctx.runner, req),
      describe: describeClonePlan,
      device: (plan) => plan.target.device,
      run: (confirm, notConfirmedHint) => cloneJob(ctx.runner, { ...req, confirm, notConfirmedHint }),
      result: ({ plan: _plan, ...r }) => ({ json: { type: 'result', ok: true, ...r }, lines: [`Cloned ${r.source} onto ${r.device} in ${duration(r.seconds)}`] }),
    });
  },
};

// lifeboat restore IMAGE_DIR DISK: writes an image back onto a disk, after checks and a confirmation.
import type { CommandModule } from 'yargs';
import type { ImagerEvent } from '../../imager/events.js';
import { storeOfImagePath } from '../../imager/jobs/image-path.js';
import { planRestoreJob, restoreJob } from '../../imager/jobs/restore.js';
import { throwIfRefused } from '../../imager/plan/refusals.js';
import { describeRestorePlan } from '../../imager/restore/plan.js';
import { confirmByTyping } from '../confirm.js';
import { duration } from '../../core/format.js';
import { makeContext } from '../context.js';
import { storeAccess, withStoreAccessOptions } from '../store-access.js';

interface Args {
  image: string;
  disk: string;
  bootOnly: boolean;
  grow: boolean;
  shrink: boolean;
  yes: boolean;
  json: boolean;
  dryRun: boolean;
  sshKey: string | undefined;
  knownHosts: string | undefined;
}

export const restoreCommand: CommandModule<object, Args> = {
  command: 'restore <image> <disk>',
  describe: 'Restore an image (Lifeboat or Clonezilla) onto a disk; everything on the disk is overwritten',
  builder: (y) =>
    withStoreAccessOptions(y)
      .positional('image', { type: 'string', demandOption: true, describe: 'Image directory, or ssh://user@host[:port]/path/name' })
      .positional('disk', { type: 'string', demandOption: true, describe: 'Target disk: /dev/sdb, /dev/disk/by-id/…' })
      .option('boot-only', { type: 'boolean', default: false, describe: 'Restore only the boot records (MBR boot code, hidden data after the MBR, EFI system and BIOS boot partitions)' })
      .option('grow', { type: 'boolean', default: false, describe: 'On a larger disk, extend the last partition and its filesystem' })
      .option('shrink', { type: 'boolean', default: false, describe: 'On a smaller disk, shrink the partitions to fit their used data (the plan shows the new sizes)' })
      .option('yes', { type: 'boolean', default: false, describe: 'Do not ask for confirmation' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan and stop; changes nothing (no folder, no partition nodes)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON Lines events and a JSON result' }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const { store, image } = storeOfImagePath(argv.image, storeAccess(argv));
    const req = { store, image, disk: argv.disk, bootOnly: argv.bootOnly, grow: argv.grow, shrink: argv.shrink, onEvent: (e: ImagerEvent) => ctx.out.event(e), signal: ctx.signal };
    if (argv.dryRun) {
      const plan = await planRestoreJob(ctx.runner, req);
      throwIfRefused(plan.refusals);
      const words = describeRestorePlan(plan);
      ctx.out.result({ plan: words }, words);
      return;
    }
    const r = await restoreJob(ctx.runner, {
      ...req,
      notConfirmedHint: process.stdin.isTTY ? 'type the disk name exactly' : 'no terminal to ask: pass --yes',
      confirm: async (plan) => {
        const words = describeRestorePlan(plan);
        if (!argv.yes) return confirmByTyping(plan.target.device, words, ctx.signal);
        if (!ctx.json) process.stderr.write(`${words.join('\n')}\n`);
        return true;
      },
    });
    const { plan: _plan, ...result } = r;
    ctx.out.result({ type: 'result', ok: true, ...result }, [`Restored ${r.image} onto ${r.device} in ${duration(r.seconds)}`]);
  },
};

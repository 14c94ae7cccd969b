// lifeboat ui: the rescue UI (rescue-ui/) in this terminal; loaded only when asked for, so other commands do not pay
// for loading React and Ink.
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';

interface Args {
  disk: string[] | undefined;
  snapshot: boolean;
}

export const uiCommand: CommandModule<object, Args> = {
  command: 'ui',
  describe: 'The rescue UI: back up, restore, repair boot and verify from menus (keyboard only)',
  builder: (y) =>
    y
      .option('disk', { type: 'string', array: true, describe: 'Show only this disk (repeatable; e.g. on a host with many disks)' })
      .option('snapshot', { type: 'boolean', default: false, hidden: true, describe: 'Print the main menu once and exit (a check that the UI loads)' }) as never,
  handler: async (argv) => {
    const ui = await import('../../rescue-ui/run.js');
    if (argv.snapshot) {
      process.stdout.write(`${ui.snapshot()}\n`);
      return;
    }
    if (!process.stdin.isTTY || !process.stdout.isTTY) throw new UsageError('lifeboat ui needs a terminal (its keyboard and screen)', 'run it on a console or in a terminal; scripts use the other commands');
    await ui.runRescueUi({ ...(argv.disk?.length ? { onlyDisks: argv.disk } : {}) });
  },
};

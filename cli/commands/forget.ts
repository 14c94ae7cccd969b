// lifeboat forget REPO --keep-daily N …: retention per disk in an image repository, then prune.
import type { CommandModule } from 'yargs';
import { forgetJob } from '../../imager/jobs/forget.js';
import { parseStoreRef } from '../../imager/store/open.js';
import { bytes } from '../../core/format.js';
import { makeContext } from '../context.js';
import { storeAccessFor, withStoreAccessOptions } from '../store-access.js';

interface Args {
  repository: string;
  keepLast: number | undefined;
  keepDaily: number | undefined;
  keepWeekly: number | undefined;
  keepMonthly: number | undefined;
  json: boolean;
  sshKey: string | undefined;
  knownHosts: string | undefined;
  passwordFile?: string | undefined;
}

export const forgetCommand: CommandModule<object, Args> = {
  command: 'forget <repository>',
  describe: "Remove a repository's old backups by a retention policy, per disk (restic's keep rules), and free their data",
  builder: (y) =>
    withStoreAccessOptions(y)
      .positional('repository', { type: 'string', demandOption: true, describe: 'restic:PATH, restic:sftp:user@host:/path or restic:rest:http://host:port/' })
      .option('keep-last', { type: 'number', describe: 'Keep the N newest backups of each disk' })
      .option('keep-daily', { type: 'number', describe: 'Keep the newest backup of each of the N newest days, per disk' })
      .option('keep-weekly', { type: 'number', describe: 'Keep the newest backup of each of the N newest weeks, per disk' })
      .option('keep-monthly', { type: 'number', describe: 'Keep the newest backup of each of the N newest months, per disk' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON Lines events and a JSON result' }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const store = parseStoreRef(argv.repository, await storeAccessFor(argv, [argv.repository], 'read'));
    const r = await forgetJob(ctx.runner, { store, policy: { keepLast: argv.keepLast, keepDaily: argv.keepDaily, keepWeekly: argv.keepWeekly, keepMonthly: argv.keepMonthly }, onEvent: (e) => ctx.out.event(e) });
    const lines = [
      ...r.removed.map((i) => `removed ${i.snapshot}  ${i.time}  ${i.disk ?? '-'}  ${i.identity}`),
      `${r.repository}: removed ${r.removed.length} backup${r.removed.length === 1 ? '' : 's'}${r.unfinished ? ` and ${r.unfinished} unfinished` : ''} (${r.snapshots} snapshots), kept ${r.kept.length}; freed ${bytes(r.freedBytes)} (${bytes(r.bytesBefore)} -> ${bytes(r.bytesAfter)})`,
    ];
    ctx.out.result({ type: 'result', ok: true, ...r }, lines);
  },
};

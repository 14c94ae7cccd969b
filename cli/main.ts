#!/usr/bin/env node
// The lifeboat command: a thin face over the imager library; maps every error to one clear line and an exit code.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exitCodes, LifeboatError, UsageError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { lifeboatVersion } from '../imager/version.js';
import { backupCommand } from './commands/backup.js';
import { cloneCommand } from './commands/clone.js';
import { disksCommand } from './commands/disks.js';
import { exportCommand } from './commands/export.js';
import { forgetCommand } from './commands/forget.js';
import { imagesCommand } from './commands/images.js';
import { infoCommand } from './commands/info.js';
import { filesCommand } from './commands/files.js';
import { scheduleCommand } from './commands/schedule.js';
import { isoCommand } from './commands/iso.js';
import { restoreCommand } from './commands/restore.js';
import { uiCommand } from './commands/ui.js';
import { verifyCommand } from './commands/verify.js';

function report(e: unknown, json: boolean): number {
  const err = e instanceof LifeboatError ? e : undefined;
  const code = err ? exitCodes[err.kind] : exitCodes.internal;
  // A message may quote what it found (a file's bytes, a name): it reaches the terminal printable.
  // A stopped job says so first: "stopped", never a verdict on the disk or image.
  const message = (err?.kind === 'interrupted' ? 'stopped: ' : '') + printable(err ? err.message : e instanceof Error ? e.message : String(e), { keepNewlines: true, max: 4000 });
  const hint = err?.hint === undefined ? undefined : printable(err.hint, { keepNewlines: true, max: 4000 });
  if (json) process.stdout.write(`${JSON.stringify({ type: 'error', kind: err?.kind ?? 'internal', message, hint, file: (err as { file?: string } | undefined)?.file, exitCode: code })}\n`);
  process.stderr.write(`lifeboat: ${message}\n`);
  if (hint) process.stderr.write(`  hint: ${hint}\n`);
  if (!err && process.env['LIFEBOAT_DEBUG'] && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return code;
}

export async function main(args: string[]): Promise<number> {
  const json = args.includes('--json');
  try {
    await yargs(args)
      .scriptName('lifeboat')
      .version(lifeboatVersion)
      .command(disksCommand)
      .command(backupCommand)
      .command(restoreCommand)
      .command(cloneCommand)
      .command(verifyCommand)
      .command(infoCommand)
      .command(filesCommand)
      .command(scheduleCommand)
      .command(imagesCommand)
      .command(forgetCommand)
      .command(exportCommand)
      .command(uiCommand)
      .command(isoCommand)
      .demandCommand(1, 'give a command; lifeboat --help lists them')
      .strict()
      .epilogue('Exit codes: 0 success, 1 a tool failed, 2 bad usage, 3 disk or image not found, 4 refused for safety, 5 image incomplete or damaged, 6 no space, 7 network store unreachable or lost, 8 host key not pinned or changed, 9 unreadable sectors on the source, 10 wrong or missing passphrase of an encrypted image or password of an image repository, 130 interrupted.')
      .fail((msg, err) => {
        if (err) throw err;
        throw new UsageError(msg);
      })
      .help()
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .parseAsync();
    return 0;
  } catch (e) {
    return report(e, json);
  }
}

process.exitCode = await main(hideBin(process.argv));

// lifeboat schedule add|list|run|remove|history: images of this machine's disks on a timer (systemd), with a history.
// A thin face: every rule is in imager/schedule/.
import { realpathSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { printable } from '../../core/printable.js';
import { addSchedule, listScheduled, removeSchedule } from '../../imager/schedule/install.js';
import { readSchedule } from '../../imager/schedule/definition.js';
import { readHistory, historyFile } from '../../imager/schedule/history.js';
import { schedulePaths, unitNames } from '../../imager/schedule/paths.js';
import { runSchedule } from '../../imager/schedule/run.js';
import { makeContext } from '../context.js';
import { runningInput, withRunningOptions, type RunningArgs } from '../running-options.js';

interface AddArgs extends RunningArgs {
  name: string;
  disk: string;
  to: string;
  at: string;
  mode: 'snapshot' | 'offline';
  keepDaily: number | undefined;
  keepWeekly: number | undefined;
  keepMonthly: number | undefined;
  keepLast: number | undefined;
  onFailure: string | undefined;
  passwordFile: string | undefined;
  sshKey: string | undefined;
  knownHosts: string | undefined;
  json: boolean;
}

const when = (iso: string | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : 'never');

const add: CommandModule<object, AddArgs> = {
  command: 'add <name>',
  describe: 'Image a disk on a timer: writes and enables a systemd timer (Persistent: a run missed while off happens at the next start)',
  builder: (y) =>
    withRunningOptions(y)
      .positional('name', { type: 'string', demandOption: true, describe: 'The schedule\'s name (lower-case letters, digits, -)' })
      .option('disk', { type: 'string', demandOption: true, describe: 'The disk to image (kept by its stable id and identity)' })
      .option('to', { type: 'string', demandOption: true, describe: 'A store (folder, LABEL=…:/dir, ssh://…) or a repository (restic:…)' })
      .option('at', { type: 'string', demandOption: true, describe: 'When: "daily 02:00", "weekly Sun 03:30", "monthly 1 04:00", "hourly", or a systemd OnCalendar expression' })
      .option('mode', { choices: ['snapshot', 'offline'] as const, default: 'snapshot' as const, describe: 'snapshot: image while the system runs (partitions not mounted, and mounted ones with --freeze); offline: at the next reboot into Lifeboat (not built yet)' })
      .option('keep-daily', { type: 'number', describe: 'Repository only: after each run keep the newest backup of each of the N newest days' })
      .option('keep-weekly', { type: 'number', describe: 'Repository only: … of the N newest weeks' })
      .option('keep-monthly', { type: 'number', describe: 'Repository only: … of the N newest months' })
      .option('keep-last', { type: 'number', describe: 'Repository only: … the N newest backups' })
      .option('on-failure', { type: 'string', describe: 'A shell command run when a run fails (LIFEBOAT_SCHEDULE, LIFEBOAT_EXIT_CODE, LIFEBOAT_MESSAGE set), e.g. to send mail' })
      .option('password-file', { type: 'string', describe: "A repository's password file (root-only); runs read it, nobody types it" })
      .option('ssh-key', { type: 'string', describe: 'ssh:// and restic:sftp: stores: the private key' })
      .option('known-hosts', { type: 'string', describe: 'ssh:// and restic:sftp: stores: the pinned host key' })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const keep = { keepDaily: argv.keepDaily, keepWeekly: argv.keepWeekly, keepMonthly: argv.keepMonthly, keepLast: argv.keepLast };
    const command = { node: process.execPath, script: realpathSync(process.argv[1]!) };
    const r = await addSchedule(ctx.runner, { name: argv.name, disk: argv.disk, to: argv.to, at: argv.at, mode: argv.mode, keep, running: runningInput(argv), onFailure: argv.onFailure, passwordFile: argv.passwordFile, sshKey: argv.sshKey, knownHosts: argv.knownHosts }, { paths: schedulePaths(), command });
    const s = r.schedule;
    ctx.out.result({ type: 'result', ...r }, [
      `schedule ${s.name}: ${s.disk} to ${printable(s.to)}, ${printable(s.at)} (OnCalendar=${s.onCalendar}); next run ${when(r.next)}`,
      r.started ? `  ${unitNames(s.name).timer} enabled and started` : `  ${unitNames(s.name).timer} enabled; systemd is not running this system, so it starts with the next boot`,
    ]);
  },
};

const list: CommandModule<object, { json: boolean }> = {
  command: 'list',
  describe: 'The schedules: next run, last result',
  builder: (y) => y.option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const all = await listScheduled(ctx.runner, { paths: schedulePaths() });
    ctx.out.result(
      { type: 'result', schedules: all },
      all.length === 0
        ? ['no schedules (lifeboat schedule add NAME --disk DISK --to STORE --at "daily 02:00")']
        : all.flatMap((l) => [
            `${l.schedule.name}: ${l.schedule.disk} to ${printable(l.schedule.to)}, ${printable(l.schedule.at)}; next ${when(l.next)}`,
            `  last: ${l.last ? `${when(l.last.started)} ${l.last.ok ? 'ok' : `FAILED (exit ${l.last.exitCode})`}: ${printable(l.last.message, { max: 300 })}` : 'not run yet'}`,
          ]),
    );
  },
};

const run: CommandModule<object, { name: string; json: boolean }> = {
  command: 'run <name>',
  describe: "Run a schedule now (what its timer's service runs): the image, the retention, the history entry",
  builder: (y) => y.positional('name', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const { entry, error } = await runSchedule(ctx.runner, argv.name, { paths: schedulePaths(), onEvent: (e) => ctx.out.event(e), signal: ctx.signal });
    if (error) throw error;
    ctx.out.result({ type: 'result', ...entry }, [`schedule ${entry.schedule}: ${printable(entry.message, { max: 1000 })}`]);
  },
};

const remove: CommandModule<object, { name: string; json: boolean }> = {
  command: 'remove <name>',
  describe: 'Stop and remove a schedule (its history stays)',
  builder: (y) => y.positional('name', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const paths = schedulePaths();
    const s = await removeSchedule(ctx.runner, argv.name, { paths });
    ctx.out.result({ type: 'result', removed: s.name }, [`removed schedule ${s.name} and its timer; its history stays in ${historyFile(paths, s.name)}`]);
  },
};

const history: CommandModule<object, { name: string; json: boolean }> = {
  command: 'history <name>',
  describe: "A schedule's runs, oldest first",
  builder: (y) => y.positional('name', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const paths = schedulePaths();
    const runs = await readHistory(paths, argv.name);
    if (runs.length === 0) await readSchedule(paths, argv.name); // no such schedule: exit 3; one not run yet: an empty list
    ctx.out.result(
      { type: 'result', schedule: argv.name, runs },
      runs.length === 0 ? [`${argv.name}: not run yet`] : runs.map((r) => `${when(r.started)}  ${r.ok ? 'ok    ' : `exit ${r.exitCode}`}  ${printable(r.message, { max: 1000 })}${r.onFailure ? `  [on-failure: ${r.onFailure}]` : ''}`),
    );
  },
};

export const scheduleCommand: CommandModule = {
  command: 'schedule <command>',
  describe: "Image this machine's disks on a schedule (systemd timers), with a history of every run",
  builder: (y: Argv) => y.command(add).command(list).command(run).command(remove).command(history).demandCommand(1),
  handler: () => undefined,
};

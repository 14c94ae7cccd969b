// The options of reading a running system (backup, schedule add): yargs' words for running/options.ts, which checks them.
import type { Argv } from 'yargs';
import { runningReadOptions, type RunningReadInput, type RunningReadOptions } from '../imager/running/options.js';

export interface RunningArgs {
  snapshot: boolean;
  freeze: boolean;
  freezeLimit: number | undefined;
  pre: string | undefined;
  post: string | undefined;
  hookTimeout: number | undefined;
  db: string[] | undefined;
}

export function withRunningOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('snapshot', { type: 'boolean', default: false, describe: 'Read a mounted LV from an LVM snapshot (lvcreate -s, sized from the VG\'s free extents, removed once read)' })
    .option('freeze', { type: 'boolean', default: false, describe: 'Read a mounted ext4/xfs/btrfs partition frozen (fsfreeze) while partclone reads it, when the plan estimates it under --freeze-limit; never / or /var' })
    .option('freeze-limit', { type: 'number', describe: 'The longest a filesystem may stay frozen by the plan\'s estimate, in seconds (default 10; the read is stopped at 3 times it)' })
    .option('pre', { type: 'string', describe: 'A shell command run before anything is read or written (e.g. put a database in backup mode); if it fails, nothing is written' })
    .option('post', { type: 'string', describe: 'A shell command run once every partition is read, also after a failure (LIFEBOAT_OK=1 or 0)' })
    .option('db', { type: 'string', array: true, describe: 'With --snapshot or --freeze: a database brought to a consistent point: postgresql (CHECKPOINT; "postgresql:CONNINFO", no password: ~/.pgpass) or mysql (a read lock held across the snapshot; "mysql:/root/backup.cnf")' })
    .option('hook-timeout', { type: 'number', describe: 'Seconds each of --pre and --post may take before it is stopped (default 60)' }) as never;
}

export function runningInput(a: RunningArgs): RunningReadInput {
  return { snapshots: a.snapshot, freeze: a.freeze, freezeLimitSeconds: a.freezeLimit, pre: a.pre, post: a.post, hookTimeoutSeconds: a.hookTimeout, databases: a.db };
}

export function runningFrom(a: RunningArgs): RunningReadOptions | undefined {
  return runningReadOptions(runningInput(a));
}

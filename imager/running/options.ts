// How a backup reads a running system (`backup --freeze --pre … --post …`, a schedule's run): the options the faces
// pass to the backup job, and what the image records of how each partition or LV was read.
import { UsageError } from '../../core/errors.js';
import { parseDatabaseArg } from './databases.js';

/** How one partition or LV was read: not mounted (direct), from an LVM snapshot, frozen with fsfreeze, or offline (from the live system). */
export type ReadMethod = 'direct' | 'snapshot' | 'frozen' | 'offline';

/** A database the job brings to a consistent point around the snapshot (hooks.ts's built-in recipes). */
export interface DatabaseRecipe {
  kind: 'postgresql' | 'mysql';
  /**
   * Where to connect, never a password: for PostgreSQL a libpq connection string without one (host=/run/postgresql
   * port=5432 user=postgres); for MySQL an option file ([client] section) that may hold the password, read by the
   * client itself. By default the local server's socket as its superuser.
   */
  connect?: string | undefined;
}

export interface RunningReadOptions {
  /** Mounted filesystems on LVM are read from an LVM snapshot (lvcreate -s), removed whatever happens. */
  snapshots: boolean;
  /** A mounted filesystem that cannot be snapshotted is frozen (fsfreeze) while it is read, when the plan estimates under freezeLimitSeconds. */
  freeze: boolean;
  /** The longest a filesystem may stay frozen, by the plan's estimate; 10 s by default. */
  freezeLimitSeconds: number;
  /** Shell commands run before the snapshot point and after it, each within hookTimeoutSeconds. */
  pre?: string | undefined;
  post?: string | undefined;
  hookTimeoutSeconds: number;
  databases: DatabaseRecipe[];
}

export const defaultRunningRead: RunningReadOptions = { snapshots: true, freeze: false, freezeLimitSeconds: 10, hookTimeoutSeconds: 60, databases: [] };

/** What a face was given (flags, a schedule's definition), before it is checked. */
export interface RunningReadInput {
  /** --snapshot: mounted LVs read from LVM snapshots. */
  snapshots?: boolean | undefined;
  freeze?: boolean | undefined;
  freezeLimitSeconds?: number | undefined;
  pre?: string | undefined;
  post?: string | undefined;
  hookTimeoutSeconds?: number | undefined;
  /** --db postgresql[:CONNINFO], as given. */
  databases?: string[] | undefined;
}

function seconds(what: string, n: number | undefined, fallback: number): number {
  if (n === undefined) return fallback;
  if (!Number.isFinite(n) || n <= 0 || n > 24 * 3600) throw new UsageError(`${what} ${n} is not a number of seconds`, `give a number from 1 to 86400, e.g. ${what} ${fallback}`);
  return n;
}

/**
 * The checked options, or undefined when nothing of a running system's reading was asked (a plain backup, whose
 * mounted partitions are refused). A limit without what it limits is a usage error: it would be silently ignored.
 */
export function runningReadOptions(i: RunningReadInput): RunningReadOptions | undefined {
  if (i.freezeLimitSeconds !== undefined && !i.freeze) throw new UsageError('--freeze-limit is for --freeze', 'add --freeze, or leave --freeze-limit out');
  if (i.hookTimeoutSeconds !== undefined && !i.pre && !i.post) throw new UsageError('--hook-timeout is for --pre or --post', 'add a hook, or leave --hook-timeout out');
  for (const [flag, cmd] of [['--pre', i.pre], ['--post', i.post]] as const)
    if (cmd !== undefined && cmd.trim() === '') throw new UsageError(`${flag} is empty`, `give the command to run, e.g. ${flag} "systemctl stop myapp"`);
  const databases = (i.databases ?? []).map(parseDatabaseArg);
  if (databases.length > 0 && !i.freeze && !i.snapshots) throw new UsageError('--db brings a database to a consistent point for a snapshot or a frozen read', 'add --snapshot (on LVM) or --freeze (the filesystem that holds the database is mounted)');
  if (!i.snapshots && !i.freeze && i.pre === undefined && i.post === undefined) return undefined;
  return {
    ...defaultRunningRead,
    snapshots: i.snapshots === true,
    freeze: i.freeze === true,
    freezeLimitSeconds: seconds('--freeze-limit', i.freezeLimitSeconds, defaultRunningRead.freezeLimitSeconds),
    hookTimeoutSeconds: seconds('--hook-timeout', i.hookTimeoutSeconds, defaultRunningRead.hookTimeoutSeconds),
    databases,
    ...(i.pre !== undefined ? { pre: i.pre } : {}),
    ...(i.post !== undefined ? { post: i.post } : {}),
  };
}

// How a backup reads a running system (`backup --snapshot`, `schedule add --mode snapshot`): the options the faces
// pass to the backup job, and what the image records of how each partition or LV was read.

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

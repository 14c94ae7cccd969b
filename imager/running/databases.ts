// The built-in database recipes of a running system's backup: PostgreSQL and MySQL/MariaDB. A database's files read
// as the filesystem stood at one instant (an LVM snapshot, a freeze) are what a power cut leaves, and both servers
// recover from that by design (WAL, InnoDB's redo log), as long as the data and the log were read at the same
// instant. The recipes make that instant a good one, and the plan warns when the data, the log or a tablespace lie on
// different filesystems or LVs, which are read one after another and do not agree:
// - PostgreSQL: CHECKPOINT first (little WAL to replay, a short recovery), then the snapshot point.
// - MySQL/MariaDB: FLUSH TABLES WITH READ LOCK in one session held open across the snapshot point (writes wait,
//   MyISAM tables are closed and whole), UNLOCK TABLES once it is over.
//
// Where the database is comes from the server itself (PostgreSQL's data_directory, pg_wal, pg_tblspc; MySQL's
// datadir and innodb_log_group_home_dir): never guessed from paths. No password is ever on a command line: psql runs
// as the postgres user (Debian's peer authentication) with -w, and a connection string holding a password is
// refused (use ~/.pgpass); mysql connects as root over the local socket (Debian's unix_socket authentication), or
// with an option file (`--db mysql:/root/backup.cnf`, its [client] section) that the client reads itself.
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { HookError, UsageError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import type { DatabaseRecipe } from './options.js';

/** The OS user psql runs as (the server's, as Debian installs it). */
export const postgresOsUser = 'postgres';

/** The default connection: the local server's socket, as its superuser. */
export const defaultPostgresConnect = 'dbname=postgres';

/** `--db postgresql[:CONNINFO]` (a libpq connection string without a password) or `--db mysql[:OPTION_FILE]`. */
export function parseDatabaseArg(arg: string): DatabaseRecipe {
  const m = /^(postgresql|postgres|mysql|mariadb)(?::(.*))?$/s.exec(arg.trim());
  if (!m) throw new UsageError(`--db ${arg}: not a database recipe`, 'use --db postgresql, --db "postgresql:host=/run/postgresql port=5432", --db mysql or --db mysql:/root/backup.cnf');
  const connect = m[2]?.trim();
  if (connect === '') throw new UsageError(`--db ${m[1]}: is empty after the colon`, 'leave the colon out for the local server, or say how to connect');
  if (m[1] === 'mysql' || m[1] === 'mariadb') {
    if (connect !== undefined && !path.isAbsolute(connect)) throw new UsageError(`--db ${m[1]}:${connect}: give the option file as an absolute path`, 'e.g. --db mysql:/root/backup.cnf (its [client] section: user, password, socket)');
    return { kind: 'mysql', ...(connect ? { connect } : {}) };
  }
  if (connect !== undefined && /(^|\s)password\s*=/i.test(connect)) throw new UsageError(`--db: the connection string holds a password, which would be on a command line`, 'leave it out: put it in the postgres user\'s ~/.pgpass (0600)');
  return { kind: 'postgresql', ...(connect ? { connect } : {}) };
}

export function describeRecipe(r: DatabaseRecipe): string {
  if (r.kind === 'mysql') return `MySQL/MariaDB (${r.connect ? `options ${r.connect}` : 'the local socket as root'})`;
  return `PostgreSQL (${r.connect ?? defaultPostgresConnect})`;
}

/** What the recipe does at the snapshot point, in the plan's words. */
export function recipeSteps(r: DatabaseRecipe): string {
  return r.kind === 'mysql' ? 'FLUSH TABLES WITH READ LOCK held in one session until the snapshot point is over' : 'CHECKPOINT before anything is read';
}

/** One place of a database's files: its data directory, its WAL, a tablespace; with the device it lives on. */
export interface DatabasePiece {
  what: string;
  path: string;
  /** major:minor of the filesystem that holds it. */
  majMin: string;
}

export interface DatabasePlacement {
  recipe: DatabaseRecipe;
  pieces: DatabasePiece[];
}

function psql(runner: Runner, r: DatabaseRecipe, sql: string, signal?: AbortSignal) {
  return runner.run('runuser', ['-u', postgresOsUser, '--', 'psql', '-X', '-w', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', r.connect ?? defaultPostgresConnect, '-c', sql], { stdin: 'ignore', ...(signal ? { signal } : {}), hint: 'check that the server runs and that the postgres user can connect (psql as postgres)' });
}

function devOf(n: number): string {
  return `${Math.floor(n / 256) & 0xfff}:${(n & 0xff) | ((n >> 12) & 0xfff00)}`;
}

async function piece(what: string, p: string): Promise<DatabasePiece> {
  const real = await realpath(p);
  return { what, path: real, majMin: devOf((await stat(real)).dev) };
}

function mysqlArgs(r: DatabaseRecipe): string[] {
  // --defaults-extra-file must come first; -n: unbuffered, each answer as soon as it is there.
  return [...(r.connect ? [`--defaults-extra-file=${r.connect}`] : []), '--batch', '--skip-column-names', '--unbuffered'];
}

/** Where the server keeps its files (asked of the server, each resolved through its links to the filesystem holding it). */
export async function probeDatabase(runner: Runner, r: DatabaseRecipe): Promise<DatabasePlacement> {
  if (r.kind === 'postgresql') return probePostgres(runner, r);
  let answer: string;
  try {
    answer = (await runner.run('mysql', [...mysqlArgs(r), '-e', 'SELECT @@datadir, @@innodb_log_group_home_dir'], { stdin: 'ignore', hint: 'check that the server runs and that root can connect over its socket (or the option file)' })).stdout.trim();
  } catch (e) {
    throw new HookError(`${describeRecipe(r)} could not be asked where its data is: ${(e as Error).message.split('\n')[0]}`, 'check that the server runs and that the client can connect; nothing was written or frozen', e);
  }
  const [dataDir, logDir] = answer.split('\t');
  const pieces = [await piece('data', dataDir!)];
  if (logDir && logDir !== './' && logDir !== '.') pieces.push(await piece('redo log', path.resolve(dataDir!, logDir)));
  else pieces.push({ ...pieces[0]!, what: 'redo log' });
  return { recipe: r, pieces };
}

async function probePostgres(runner: Runner, r: DatabaseRecipe): Promise<DatabasePlacement> {
  let dataDir: string;
  try {
    dataDir = (await psql(runner, r, "SELECT current_setting('data_directory')")).stdout.trim();
  } catch (e) {
    throw new HookError(`${describeRecipe(r)} could not be asked where its data is: ${(e as Error).message.split('\n')[0]}`, 'check that the server runs and that the postgres user can connect; nothing was written or frozen', e);
  }
  const pieces = [await piece('data', dataDir), await piece('WAL', path.join(dataDir, 'pg_wal'))];
  for (const oid of (await readdir(path.join(dataDir, 'pg_tblspc')).catch(() => [] as string[])).sort()) pieces.push(await piece(`tablespace ${oid}`, path.join(dataDir, 'pg_tblspc', oid)));
  return { recipe: r, pieces };
}

/** What a recipe holds across the snapshot point; release ends it (idempotent, never throws). */
export interface DatabaseHold {
  release(): Promise<void>;
}

/**
 * The recipe's step before the snapshot point: PostgreSQL's CHECKPOINT (nothing to hold), or MySQL's read lock in a
 * session that stays open until release. Either is done within timeoutSeconds, or it is a HookError.
 */
export async function holdDatabase(runner: Runner, r: DatabaseRecipe, timeoutSeconds: number, signal?: AbortSignal): Promise<DatabaseHold> {
  if (r.kind === 'postgresql') {
    try {
      await psql(runner, r, 'CHECKPOINT', signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutSeconds * 1000)]) : AbortSignal.timeout(timeoutSeconds * 1000));
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new HookError(`${describeRecipe(r)}: CHECKPOINT failed: ${(e as Error).message.split('\n')[0]}; nothing was written or frozen`, 'check the server (its log says why)', e);
    }
    return { release: async () => undefined };
  }
  return holdMysqlLock(runner, r, timeoutSeconds, signal);
}

const lockedMarker = 'lifeboat-tables-locked';

async function holdMysqlLock(runner: Runner, r: DatabaseRecipe, timeoutSeconds: number, signal?: AbortSignal): Promise<DatabaseHold> {
  const session = runner.start('mysql', mysqlArgs(r), { stdin: 'pipe', collectStdout: false, hint: 'check that the server runs and that the client can connect' });
  const stdin = session.child.stdin!;
  stdin.on('error', () => undefined);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    if (stdin.writable) stdin.end('UNLOCK TABLES;\n');
    const quit = setTimeout(() => session.child.kill('SIGTERM'), 10_000);
    await session.done.catch(() => undefined);
    clearTimeout(quit);
  };
  try {
    await new Promise<void>((resolveLocked, rejectLocked) => {
      let seen = '';
      // Whichever comes first settles it, and the timer and the abort listener go with it.
      const settle = (f: () => void) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        f();
      };
      const resolve = () => settle(resolveLocked);
      const reject = (e: unknown) => settle(() => rejectLocked(e));
      const timer = setTimeout(() => reject(new HookError(`${describeRecipe(r)}: FLUSH TABLES WITH READ LOCK did not succeed within ${timeoutSeconds} s (a long query or transaction holds a table?); nothing was written or frozen`, 'raise --hook-timeout, or back up when the server is quieter')), timeoutSeconds * 1000);
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      session.child.stdout!.setEncoding('utf8');
      session.child.stdout!.on('data', (d: string) => {
        seen += d;
        if (seen.includes(lockedMarker)) resolve();
      });
      session.done.then(
        () => reject(new HookError(`${describeRecipe(r)}: the session ended before the tables were locked; nothing was written or frozen`, 'check the server')),
        (e: unknown) => reject(new HookError(`${describeRecipe(r)}: ${(e as Error).message.split('\n')[0]}; nothing was written or frozen`, 'check that the server runs and that the client can connect', e)),
      );
      stdin.write(`FLUSH TABLES WITH READ LOCK;\nSELECT '${lockedMarker}';\n`);
    });
    return { release };
  } catch (e) {
    released = true;
    session.child.kill('SIGTERM');
    await session.done.catch(() => undefined);
    throw e;
  }
}

// The built-in database recipe of a running system's backup: PostgreSQL. Its files read as the filesystem stood at
// one instant (the freeze) are what a power cut leaves, and PostgreSQL recovers from that by design, replaying its
// WAL from the last checkpoint, as long as the data and the WAL were read at the same instant. So the recipe is:
// CHECKPOINT first (little WAL to replay, a short recovery), then the freeze; and the plan warns when the data, the
// WAL or a tablespace lie on different filesystems, which are frozen one after another and do not agree.
//
// Where the database is comes from the server itself (data_directory, pg_wal, pg_tblspc): never guessed from paths.
// psql runs as the server's own user (runuser -u postgres: Debian's peer authentication), with -w: it never asks a
// password; a connection string holding one is refused (it would be on a command line): use ~/.pgpass.
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { HookError, UsageError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import type { DatabaseRecipe } from './options.js';

/** The OS user psql runs as (the server's, as Debian installs it). */
export const postgresOsUser = 'postgres';

/** The default connection: the local server's socket, as its superuser. */
export const defaultPostgresConnect = 'dbname=postgres';

/** `--db postgresql` or `--db postgresql:CONNINFO` (a libpq connection string without a password). */
export function parseDatabaseArg(arg: string): DatabaseRecipe {
  const m = /^(postgresql|postgres|mysql|mariadb)(?::(.*))?$/s.exec(arg.trim());
  if (!m) throw new UsageError(`--db ${arg}: not a database recipe`, 'use --db postgresql, or --db "postgresql:host=/run/postgresql port=5432"');
  if (m[1] === 'mysql' || m[1] === 'mariadb') throw new UsageError(`--db ${m[1]}: the MySQL/MariaDB recipe is not built yet`, 'use a --pre/--post hook that holds FLUSH TABLES WITH READ LOCK, or image the disk from the Lifeboat stick');
  const connect = m[2]?.trim();
  if (connect !== undefined && /(^|\s)password\s*=/i.test(connect)) throw new UsageError(`--db: the connection string holds a password, which would be on a command line`, 'leave it out: put it in the postgres user\'s ~/.pgpass (0600)');
  if (connect === '') throw new UsageError('--db postgresql: is empty after the colon', 'leave the colon out for the local server, or give a connection string');
  return { kind: 'postgresql', ...(connect ? { connect } : {}) };
}

export function describeRecipe(r: DatabaseRecipe): string {
  return `PostgreSQL (${r.connect ?? defaultPostgresConnect})`;
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

/** Where the server keeps its files (asked of the server, each resolved through its links to the filesystem holding it). */
export async function probePostgres(runner: Runner, r: DatabaseRecipe): Promise<DatabasePlacement> {
  let dataDir: string;
  try {
    dataDir = (await psql(runner, r, "SELECT current_setting('data_directory')")).stdout.trim();
  } catch (e) {
    throw new HookError(`${describeRecipe(r)} could not be asked where its data is: ${(e as Error).message.split('\n')[0]}`, 'check that the server runs and that the postgres user can connect; nothing was written or frozen', e);
  }
  const piece = async (what: string, p: string): Promise<DatabasePiece> => {
    const real = await realpath(p);
    return { what, path: real, majMin: devOf((await stat(real)).dev) };
  };
  const pieces = [await piece('data', dataDir), await piece('WAL', path.join(dataDir, 'pg_wal'))];
  for (const oid of (await readdir(path.join(dataDir, 'pg_tblspc')).catch(() => [] as string[])).sort()) pieces.push(await piece(`tablespace ${oid}`, path.join(dataDir, 'pg_tblspc', oid)));
  return { recipe: r, pieces };
}

/** The recipe's step before the freeze: CHECKPOINT (what is in memory goes to the files; recovery replays little). */
export async function checkpoint(runner: Runner, r: DatabaseRecipe, signal?: AbortSignal): Promise<void> {
  try {
    await psql(runner, r, 'CHECKPOINT', signal);
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new HookError(`${describeRecipe(r)}: CHECKPOINT failed: ${(e as Error).message.split('\n')[0]}; nothing was written or frozen`, 'check the server (its log says why)', e);
  }
}

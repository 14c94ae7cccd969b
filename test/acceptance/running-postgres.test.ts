// Issue 16, the PostgreSQL recipe on this host (real PostgreSQL 15, its socket in a folder of the test, no TCP): a
// server whose data is on a mounted ext4 takes inserts without pause while `backup --freeze --db postgresql` images
// it; the image restored onto a blank disk starts (PostgreSQL's own crash recovery, no manual repair), pg_amcheck is
// clean, and every row committed before the snapshot point is there, with none missing in between. The plan warns
// when a tablespace lies on another filesystem; bad --db words and an unreachable server end with one line each.
import test from 'ava';
import { execa } from 'execa';
import { readdirSync } from 'node:fs';
import { chown, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { ext4Disk, scratch, tempDir } from '../helpers/loop.js';
import { committingWriter, mountForTest, restoredAndMounted } from '../helpers/running.js';

/** The newest installed server's programs (Debian 12 has 15, Debian 13 17). */
const bin = `/usr/lib/postgresql/${readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0]}/bin`;

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([execa('id', ['-u', 'postgres']), execa('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

/** A folder the postgres user owns (its socket's, its tablespace's). */
async function postgresDir(prefix: string): Promise<string> {
  const d = await tempDir(prefix);
  const { uid, gid } = await postgresIds();
  await chown(d, uid, gid);
  return d;
}

const asPostgres = (file: string, args: string[]) => execa('runuser', ['-u', 'postgres', '--', file, ...args]);

interface Server {
  socket: string;
  /** The server's log (in its socket's folder, which the postgres user owns). */
  log: string;
  port: number;
  sql(q: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts a server on dataDir, its socket only in a folder of its own (listen_addresses empty: no TCP port at all). */
async function start(t: { teardown(fn: () => Promise<void>): void }, dataDir: string, port: number): Promise<Server> {
  const socket = await postgresDir('lifeboat-pgsock-');
  const log = path.join(socket, 'server.log');
  await asPostgres(`${bin}/pg_ctl`, ['-D', dataDir, '-l', log, '-w', '-t', '120', '-o', `-k ${socket} -p ${port} -c listen_addresses=''`, 'start']);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await asPostgres(`${bin}/pg_ctl`, ['-D', dataDir, '-w', '-m', 'fast', 'stop']).catch(() => undefined);
  };
  t.teardown(stop);
  return { socket, log, port, sql: async (q) => (await execa('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', socket, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', q])).stdout.trim(), stop };
}

test.serial('a PostgreSQL under a continuous insert load is imaged with its recipe; the restored copy starts, pg_amcheck is clean, every committed row is there', async (t) => {
  const { dir, attached } = await scratch(t);
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 320, label: 'pgdata' });
  const m = await mountForTest(t, source.part(1));
  const { uid, gid } = await postgresIds();
  const dataDir = path.join(m, 'pg');
  await mkdir(dataDir);
  await chown(dataDir, uid, gid);
  await asPostgres(`${bin}/initdb`, ['--no-sync', '-D', dataDir, '-A', 'trust', '-U', 'postgres']);
  const server = await start(t, dataDir, 54391);
  await server.sql('CREATE TABLE t (id integer PRIMARY KEY, payload text NOT NULL)');

  // One writer, one transaction per row, each id recorded outside the frozen filesystem once its COMMIT returned.
  const writer = committingWriter(t, `psql -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres -c "INSERT INTO t VALUES ($i, repeat('x', 2000))"`, path.join(dir, 'committed.log'), { SOCK: server.socket, PORT: String(server.port) });
  await writer.until(50);

  // A tablespace on another filesystem: the dry run's plan warns that the pieces are not read at one instant.
  const elsewhere = await postgresDir('lifeboat-pgts-');
  await server.sql(`CREATE TABLESPACE away LOCATION '${elsewhere}'`);
  const store = path.join(dir, 'store');
  await mkdir(store);
  const db = `postgresql:host=${server.socket} port=${server.port}`;
  const dry = await lifeboat(['backup', source.device, path.join(store, 'pg'), '--freeze', '--db', db, '--dry-run']);
  t.is(dry.exitCode, 0, dry.stderr);
  t.regex(dry.stdout, new RegExp(`note: PostgreSQL \\(host=.* port=${server.port}\\) keeps its data \\(${dataDir} on ${source.part(1)}\\), WAL \\(${dataDir}/pg_wal on ${source.part(1)}\\), tablespace \\d+ \\(${elsewhere}, another disk\\) on different filesystems`));
  await server.sql('DROP TABLESPACE away');

  const preTime = path.join(dir, 'pre-time');
  const r = await lifeboat(['backup', source.device, path.join(store, 'pg'), '--freeze', '--db', db, '--pre', `date +%s.%N > '${preTime}'`]);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, new RegExp(`PostgreSQL \\(host=.*\\): CHECKPOINT before anything is read \\(data ${dataDir} on ${source.part(1)}\\)`));
  t.notRegex(r.stderr, /different filesystems/);
  // The inserts went on after the freeze (the writer waited, then continued).
  t.true(await writer.goesOn(), 'inserts continue after the backup');
  const committedBefore = await writer.stopAndCommittedBefore(Number(await readFile(preTime, 'utf8')));
  t.true(committedBefore.length >= 50, `${committedBefore.length} rows committed before the snapshot point`);
  await server.stop();

  // Restored onto a blank disk and started as the machine would after a restore.
  const m2 = await restoredAndMounted(t, dir, attached, path.join(store, 'pg'), 320);
  // The copy's postmaster.pid names the source server's PID, which on this same host another process may have
  // taken since (seen under load: "lock file postmaster.pid already exists"); a restored machine boots afresh.
  await rm(path.join(m2, 'pg', 'postmaster.pid'), { force: true });
  const copy = await start(t, path.join(m2, 'pg'), 54392);
  t.regex(await readFile(copy.log, 'utf8'), /database system was not properly shut down; automatic recovery in progress|redo done/, 'PostgreSQL recovered by itself');
  const amcheck = await execa(`${bin}/pg_amcheck`, ['-h', copy.socket, '-p', String(copy.port), '-U', 'postgres', '--all', '--install-missing', '--heapallindexed'], { reject: false });
  t.is(amcheck.exitCode, 0, `${amcheck.stdout}\n${amcheck.stderr}`);
  const [count, min, max] = (await copy.sql('SELECT count(*), min(id), max(id) FROM t')).split('|').map(Number);
  t.is(min, 1);
  t.is(count, max, 'no row missing in between');
  t.true(max! >= Math.max(...committedBefore), `the copy holds ${max} rows; ${Math.max(...committedBefore)} were committed before the snapshot point`);
  t.deepEqual(await readdir(store), ['pg']);
  t.log(`${count} rows in the copy; ${committedBefore.length} committed before the snapshot point`);
});

test.serial('--db: bad words are usage errors, and a server that does not answer ends the backup with nothing written', async (t) => {
  const { dir, attached } = await scratch(t);
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 64, label: 'nodb' });
  const store = path.join(dir, 'store');
  await mkdir(store);
  for (const [args, line] of [
    [['--db', 'postgresql'], /--db brings a database to a consistent point for a snapshot or a frozen read/],
    [['--freeze', '--db', 'postgresql:host=/run/postgresql password=hunter2'], /the connection string holds a password/],
    [['--freeze', '--db', 'oracle'], /--db oracle: not a database recipe/],
  ] as const) {
    const r = await lifeboat(['backup', source.device, path.join(store, 'x'), ...args]);
    t.is(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, line);
    t.false(r.stderr.includes('hunter2'), 'a password is never repeated');
  }
  const nowhere = await tempDir('lifeboat-pgsock-');
  const r = await lifeboat(['backup', source.device, path.join(store, 'x'), '--freeze', '--db', `postgresql:host=${nowhere} port=54399`]);
  t.is(r.exitCode, 11, r.stderr);
  t.regex(r.stderr, /^lifeboat: PostgreSQL \(host=.* port=54399\) could not be asked where its data is: /m);
  t.deepEqual(await readdir(store), []);
});

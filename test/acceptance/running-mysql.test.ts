// Issue 16, the MySQL/MariaDB recipe on this host (real MariaDB, its socket in a folder of the test, no TCP): a server
// whose datadir is on a mounted ext4 takes inserts without pause while `backup --freeze --db mysql:OPTION_FILE`
// images it with FLUSH TABLES WITH READ LOCK held in one session across the freeze; the image restored onto a blank
// disk starts (InnoDB's own recovery), CHECK TABLE is clean, and every row committed before the snapshot point is
// there, with none missing in between; the lock is released (the inserts go on). A server that does not answer ends
// the backup in one line with nothing written.
import test from 'ava';
import { execa } from 'execa';
import { chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lifeboat } from '../helpers/cli.js';
import { ext4Disk, scratch, tempDir } from '../helpers/loop.js';
import { committingWriter, mountForTest, restoredAndMounted } from '../helpers/running.js';

async function mysqlIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([execa('id', ['-u', 'mysql']), execa('id', ['-g', 'mysql'])]);
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

interface Server {
  cnf: string;
  log: string;
  sql(q: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts mariadbd on dataDir with its socket, pid file, log and client option file in a folder of its own; no TCP. */
async function start(t: { teardown(fn: () => Promise<void>): void }, dataDir: string): Promise<Server> {
  const run = await tempDir('lifeboat-mysql-');
  const { uid, gid } = await mysqlIds();
  await chown(run, uid, gid);
  const socket = path.join(run, 'sock');
  const log = path.join(run, 'error.log');
  const cnf = path.join(run, 'client.cnf');
  await writeFile(cnf, `[client]\nsocket=${socket}\nuser=root\n`);
  const server = execa('mariadbd', ['--no-defaults', '--user=mysql', `--datadir=${dataDir}`, `--socket=${socket}`, `--pid-file=${path.join(run, 'pid')}`, `--log-error=${log}`, '--skip-networking', '--innodb-buffer-pool-size=32M'], { reject: false });
  let exited = false;
  void server.then(() => (exited = true));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    server.kill('SIGTERM');
    await server;
  };
  t.teardown(stop);
  const sql = async (q: string) => (await execa('mysql', [`--defaults-extra-file=${cnf}`, '--batch', '--skip-column-names', '-e', q])).stdout.trim();
  for (let i = 0; ; i++) {
    if ((await execa('mysqladmin', [`--defaults-extra-file=${cnf}`, 'ping'], { reject: false })).exitCode === 0) break;
    if (i === 600 || exited) throw new Error(`mariadbd did not start: ${await readFile(log, 'utf8').catch(() => '')}`);
    await sleep(100);
  }
  return { cnf, log, sql, stop };
}

test.serial('a MariaDB under a continuous insert load is imaged frozen under its read lock; the restored copy starts, CHECK TABLE is clean, every committed row is there', async (t) => {
  const { dir, attached } = await scratch(t);
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 400, label: 'mysqldata' });
  const m = await mountForTest(t, source.part(1));
  const { uid, gid } = await mysqlIds();
  const dataDir = path.join(m, 'mysql');
  await mkdir(dataDir);
  await chown(dataDir, uid, gid);
  await execa('mariadb-install-db', ['--no-defaults', '--user=mysql', `--datadir=${dataDir}`, '--skip-test-db']);
  const server = await start(t, dataDir);
  await server.sql('CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY, payload TEXT NOT NULL) ENGINE=InnoDB');

  const writer = committingWriter(t, `mysql --defaults-extra-file="$CNF" -e "INSERT INTO app.t VALUES ($i, REPEAT('x', 2000))"`, path.join(dir, 'committed.log'), { CNF: server.cnf });
  await writer.until(50);

  const store = path.join(dir, 'store');
  await mkdir(store);
  const preTime = path.join(dir, 'pre-time');
  const r = await lifeboat(['backup', source.device, path.join(store, 'db'), '--freeze', '--db', `mysql:${server.cnf}`, '--pre', `date +%s.%N > '${preTime}'`]);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, new RegExp(`MySQL/MariaDB \\(options ${server.cnf}\\): FLUSH TABLES WITH READ LOCK held in one session until the snapshot point is over \\(data ${dataDir} on ${source.part(1)}\\)`));
  t.regex(r.stderr, /MySQL\/MariaDB .*: FLUSH TABLES WITH READ LOCK\n/);
  // The lock was released: the inserts go on.
  t.true(await writer.goesOn(), 'inserts continue after the backup');
  t.is(await server.sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'FLUSH TABLES%'"), '0', 'no session of the recipe left');
  const committedBefore = await writer.stopAndCommittedBefore(Number(await readFile(preTime, 'utf8')));
  t.true(committedBefore.length >= 50, `${committedBefore.length} rows committed before the snapshot point`);
  await server.stop();

  const m2 = await restoredAndMounted(t, dir, attached, path.join(store, 'db'), 400);
  const copy = await start(t, path.join(m2, 'mysql'));
  const check = await copy.sql('CHECK TABLE app.t EXTENDED');
  t.regex(check, /^app\.t\tcheck\tstatus\tOK$/m, check);
  const [count, min, max] = (await copy.sql('SELECT COUNT(*), MIN(id), MAX(id) FROM app.t')).split('\t').map(Number);
  t.is(min, 1);
  t.is(count, max, 'no row missing in between');
  t.true(max! >= Math.max(...committedBefore), `the copy holds ${max} rows; ${Math.max(...committedBefore)} were committed before the snapshot point`);
  t.log(`${count} rows in the copy; ${committedBefore.length} committed before the snapshot point`);
  await copy.stop();
});

test.serial('--db mysql: a relative option file is a usage error; a server that does not answer ends the backup in one line, nothing written', async (t) => {
  const { dir, attached } = await scratch(t);
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 64, label: 'nomysql' });
  const store = path.join(dir, 'store');
  await mkdir(store);
  const rel = await lifeboat(['backup', source.device, path.join(store, 'x'), '--freeze', '--db', 'mysql:backup.cnf']);
  t.is(rel.exitCode, 2, rel.stderr);
  t.regex(rel.stderr, /give the option file as an absolute path/);
  const cnf = path.join(dir, 'client.cnf');
  await writeFile(cnf, `[client]\nsocket=${path.join(dir, 'no-such-socket')}\nuser=root\n`);
  const r = await lifeboat(['backup', source.device, path.join(store, 'x'), '--freeze', '--db', `mysql:${cnf}`]);
  t.is(r.exitCode, 11, r.stderr);
  t.regex(r.stderr, /^lifeboat: MySQL\/MariaDB \(options .*client\.cnf\) could not be asked where its data is: /m);
  t.deepEqual(await readdir(store), []);
});

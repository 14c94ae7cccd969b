// The job locks in a scratch lock folder: taken and refused while held (by this process or another live one),
// all or none, released, and taken over once the holder is gone, also when its pid was reused by another process.
import test from 'ava';
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../helpers/cli.js';
import { imageLockKey, takeJobLocks } from '../../../imager/lock/job-lock.js';
import { processStartTicks } from '../../../core/process-identity.js';

async function lockDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-locks-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const disk = { key: 'disk:1793', what: '/dev/loop9' };
const image = { key: 'image:66:12:pc', what: '/mnt/store/pc' };

test('a lock is refused while held, with the holding job named; released, it can be taken again', async (t) => {
  const dir = await lockDir(t);
  const first = await takeJobLocks([disk], 'backup of /dev/loop9 to /mnt/store/pc', dir);
  const e = await t.throwsAsync(takeJobLocks([disk], 'restore of x onto /dev/loop9', dir));
  t.is((e as { kind?: string }).kind, 'refused');
  t.regex(e!.message, /^\/dev\/loop9 is in use by another Lifeboat job: backup of \/dev\/loop9 to \/mnt\/store\/pc \(this process, since \d{4}-/);
  await first.release();
  await first.release();
  t.deepEqual(await readdir(dir), []);
  const again = await takeJobLocks([disk], 'restore of x onto /dev/loop9', dir);
  await again.release();
});

test('all or none: when the second lock is held, the first is given back', async (t) => {
  const dir = await lockDir(t);
  const holder = await takeJobLocks([image], 'backup of /dev/loop8 to /mnt/store/pc', dir);
  await t.throwsAsync(takeJobLocks([disk, image], 'backup of /dev/loop9 to /mnt/store/pc', dir), { message: /\/mnt\/store\/pc is in use/ });
  t.is((await readdir(dir)).length, 1, 'only the holder\'s lock file is left');
  const d = await takeJobLocks([disk], 'restore onto /dev/loop9', dir);
  await d.release();
  await holder.release();
});

test('a lock of another live process is refused with its pid; once that process is gone, it is taken over', async (t) => {
  const dir = await lockDir(t);
  const script = `import('./imager/lock/job-lock.ts').then(async (m) => { await m.takeJobLocks([{ key: 'disk:1793', what: '/dev/loop9' }], 'backup by the other console', ${JSON.stringify(dir)}); console.log('HELD'); setTimeout(() => {}, 120000); });`;
  const other = execa('node', ['--import=tsx', '-e', script], { cwd: repoRoot, reject: false, buffer: false });
  t.teardown(() => void other.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    other.stdout?.on('data', (d: Buffer) => String(d).includes('HELD') && resolve());
    void other.then(() => reject(new Error('the other process ended before it held the lock')));
  });
  await t.throwsAsync(takeJobLocks([disk], 'restore', dir), { message: new RegExp(`in use by another Lifeboat job: backup by the other console \\(pid ${other.pid}, since`) });
  other.kill('SIGKILL'); // dies holding it: the file stays
  await other;
  t.is((await readdir(dir)).length, 1);
  const taken = await takeJobLocks([disk], 'restore', dir);
  t.regex(await readFile(path.join(dir, (await readdir(dir))[0]!), 'utf8'), new RegExp(`"pid":${process.pid},`));
  await taken.release();
});

test('a lock whose pid now belongs to another process (a different start time) is stale', async (t) => {
  const dir = await lockDir(t);
  await takeJobLocks([disk], 'an old job', dir); // not released
  const file = path.join(dir, (await readdir(dir))[0]!);
  const l = JSON.parse(await readFile(file, 'utf8')) as { startTicks: number };
  await writeFile(file, JSON.stringify({ ...l, startTicks: l.startTicks - 1 }));
  const taken = await takeJobLocks([disk], 'a new job', dir);
  t.regex(await readFile(file, 'utf8'), /"job":"a new job"/);
  await taken.release();
  t.is(typeof processStartTicks(process.pid), 'number');
  t.is(processStartTicks(2 ** 22 + 1), undefined);
});

test('the image key is the folder\'s filesystem and inode with the name: the same through another path to it', async (t) => {
  const dir = await lockDir(t);
  const viaLink = path.join(dir, 'link');
  await execa('ln', ['-s', dir, viaLink]);
  t.is(await imageLockKey(path.join(dir, 'pc')), await imageLockKey(path.join(viaLink, 'pc')));
  t.not(await imageLockKey(path.join(dir, 'pc')), await imageLockKey(path.join(dir, 'laptop')));
});

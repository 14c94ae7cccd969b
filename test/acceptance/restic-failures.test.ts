// Issue 15, acceptance 5: a wrong password, a folder that is not a repository, a locked repository, a damaged pack
// file: one clear line each with its exit code, and a restore refuses before it writes the target. A backup killed
// with SIGKILL leaves no new snapshot and restic check clean; the stale lock it left is taken over by restic's rule
// (its process is dead on this host); a backup whose partclone fails leaves no snapshot of the failed feed.
import test from 'ava';
import { execa } from 'execa';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat, lifeboatBin } from '../helpers/cli.js';
import { oneClearLine } from '../helpers/assert.js';
import { attach, ext4Disk, fileHash, makeSparse, scratch, type LoopDisk } from '../helpers/loop.js';
import { flipByteInLargestPack, privateLeft, testRepository, type TestRepository } from '../helpers/restic.js';

/** A repository with one backup of a small disk, and a blank target disk (its hash, to see that nothing was written). */
async function setUp(t: import('ava').ExecutionContext, randomMiB = 8) {
  const { dir, attached } = await scratch(t);
  const repo = await testRepository(dir);
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 200, label: 'src', randomMiB });
  const b = await lifeboat(['backup', source.device, repo.uri, ...repo.access], { env: repo.env });
  t.is(b.exitCode, 0, b.stderr);
  await makeSparse(path.join(dir, 'target.img'), 200);
  const target = await attach(path.join(dir, 'target.img'));
  attached.push(target);
  return { dir, attached, repo, source, target, targetHash: await fileHash(target.file) };
}

/** Waits until no process works on this repository any more (a condition: RESTIC_REPOSITORY in its environment). */
async function noResticOn(repo: TestRepository): Promise<void> {
  for (let i = 0; i < 600; i++) {
    let busy = false;
    for (const pid of await readdir('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const env = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
      if (env.split('\0').includes(`RESTIC_REPOSITORY=${repo.path}`)) busy = true;
    }
    if (!busy) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('restic still runs on the repository');
}

async function untouched(t: import('ava').ExecutionContext, target: LoopDisk, hash: string) {
  t.is(await fileHash(target.file), hash, 'the target disk was not written');
}

test.serial('wrong password: backup, images and restore say so in one line, exit 10 (as a wrong passphrase); nothing written', async (t) => {
  const { dir, repo, source, target, targetHash } = await setUp(t);
  const wrong = path.join(dir, 'wrong.password');
  await writeFile(wrong, 'not the password\n', { mode: 0o600 });
  for (const args of [
    ['backup', source.device, repo.uri],
    ['images', repo.uri],
    ['restore', repo.uri, target.device, '--yes'],
  ]) {
    const r = await lifeboat([...args, '--password-file', wrong], { env: repo.env });
    t.is(r.exitCode, 10, `${args[0]}: ${r.stderr}`);
    oneClearLine(t, r.stderr, /the password does not open the restic repository restic:\//);
    t.notRegex(r.stderr + r.stdout, /not the password/, 'the password is never printed');
  }
  await untouched(t, target, targetHash);
  t.is((await repo.snapshots()).length, 2, 'no new snapshot');
  t.deepEqual(await privateLeft(repo), []);
});

test.serial('a folder that is not a repository: exit 5, never made one; a missing one to restore from: exit 3', async (t) => {
  const { dir, repo, source, target, targetHash } = await setUp(t);
  const folder = path.join(dir, 'photos');
  await mkdir(folder);
  await writeFile(path.join(folder, 'cat.jpg'), 'meow');
  for (const args of [
    ['backup', source.device, `restic:${folder}`],
    ['restore', `restic:${folder}`, target.device, '--yes'],
    ['images', `restic:${folder}`],
  ]) {
    const r = await lifeboat([...args, ...repo.access], { env: repo.env });
    t.is(r.exitCode, 5, `${args[0]}: ${r.stderr}`);
    oneClearLine(t, r.stderr, /photos is a folder that holds other files, not a restic repository/);
  }
  t.deepEqual(await readdir(folder), ['cat.jpg'], 'the folder is left as it was');
  const missing = await lifeboat(['restore', `restic:${dir}/nothing-here`, target.device, '--yes', ...repo.access], { env: repo.env });
  t.is(missing.exitCode, 3, missing.stderr);
  oneClearLine(t, missing.stderr, /no restic repository at restic:/);
  await untouched(t, target, targetHash);
});

test.serial('a repository in use by a live restic: refused in one line naming it, exit 4; once that process is dead its lock is taken over', async (t) => {
  const { repo } = await setUp(t);
  // A live restic holding a lock: a backup reading a stdin that never ends.
  const holder = execa('restic', ['--no-cache', '-r', repo.path, 'backup', '--stdin'], { env: { RESTIC_PASSWORD_FILE: repo.passwordFile }, reject: false, stdin: 'pipe' });
  t.teardown(() => void holder.kill('SIGKILL'));
  for (let i = 0; i < 600 && (await readdir(path.join(repo.path, 'locks'))).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  t.is((await readdir(path.join(repo.path, 'locks'))).length, 1, 'the holder has its lock');
  // --json: the job's steps go to stdout, so stderr holds the one line alone.
  const refused = await lifeboat(['forget', repo.uri, '--keep-last', '1', '--json', ...repo.access], { env: repo.env });
  t.is(refused.exitCode, 4, refused.stderr);
  oneClearLine(t, refused.stderr, new RegExp(`is in use by PID ${holder.pid} on \\S+ by root .*since \\d{4}-\\d\\d-\\d\\d`));
  holder.kill('SIGKILL');
  await holder;
  t.is((await readdir(path.join(repo.path, 'locks'))).length, 1, 'the dead process left its lock behind');
  const taken = await lifeboat(['forget', repo.uri, '--keep-last', '1', ...repo.access], { env: repo.env });
  t.is(taken.exitCode, 0, taken.stderr);
  t.deepEqual(await readdir(path.join(repo.path, 'locks')), [], 'the stale lock was removed');
});

test.serial('a damaged pack file (one flipped byte): restore refuses before writing, verify --read-data names the pack; exit 5', async (t) => {
  const { repo, target, targetHash } = await setUp(t);
  // The largest pack holds the partition stream's random data.
  const pack = { file: await flipByteInLargestPack(repo) };
  const restore = await lifeboat(['restore', repo.uri, target.device, '--yes', ...repo.access], { env: repo.env });
  t.is(restore.exitCode, 5, restore.stderr);
  // restic's mount answers the damaged data with EIO: the image's check before writing names the file.
  t.regex(restore.stderr, /^lifeboat: (image file \S+ is damaged: cannot be read \(EIO\)|the restic repository restic:\S+ is damaged)/m);
  t.notRegex(restore.stderr, /^\s+at /m);
  await untouched(t, target, targetHash);
  const verify = await lifeboat(['verify', repo.uri, '--read-data', '--json', ...repo.access], { env: repo.env });
  t.is(verify.exitCode, 5, verify.stderr);
  oneClearLine(t, verify.stderr, new RegExp(`is damaged: Pack ID does not match, want ${path.basename(pack.file)}`));
  t.deepEqual(await privateLeft(repo), []);
});

test.serial('a backup killed with SIGKILL mid-stream leaves no new snapshot; restic check is clean; the next backup runs', async (t) => {
  const { repo, source } = await setUp(t, 120);
  const before = (await repo.snapshots()).length;
  const child = execa('node', [lifeboatBin, 'backup', source.device, repo.uri, '--json', ...repo.access], { env: repo.env, reject: false, stdin: 'ignore' });
  // Killed while restic takes the stream: after partclone's first progress report of the partition.
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (/"type":"progress"/.test(text)) resolve();
    });
    void child.then(() => reject(new Error(`the backup ended before it streamed: ${text}`)));
  });
  child.kill('SIGKILL');
  await child;
  await noResticOn(repo);
  t.is((await repo.snapshots()).length, before, 'no new snapshot: restic died with Lifeboat before it saw an end of the stream');
  // The killed restic's lock is stale by restic's own rule (its process is dead on this host): verify takes it over.
  const verify = await lifeboat(['verify', repo.uri, ...repo.access], { env: repo.env });
  t.is(verify.exitCode, 0, verify.stderr);
  const check = await repo.restic(['check']);
  t.is(check.exitCode, 0, check.stderr);
  const again = await lifeboat(['backup', source.device, repo.uri, ...repo.access], { env: repo.env });
  t.is(again.exitCode, 0, again.stderr);
  t.is((await repo.snapshots()).length, before + 2);
});

test.serial('partclone fails on a damaged filesystem: the backup fails and leaves no snapshot of the failed feed', async (t) => {
  const { dir, attached, repo } = await setUp(t);
  const bad = await ext4Disk(attached, path.join(dir, 'bad.img'), { sizeMiB: 64, label: 'bad' });
  // Its group descriptors overwritten: blkid still sees ext4, partclone cannot read its bitmaps.
  const fh = await (await import('node:fs/promises')).open(bad.part(1), 'r+');
  await fh.write(Buffer.alloc(2048, 0xa5), 0, 2048, 2048);
  await fh.close();
  const before = (await repo.snapshots()).length;
  const r = await lifeboat(['backup', bad.device, repo.uri, ...repo.access], { env: repo.env });
  t.not(r.exitCode, 0, 'the backup fails');
  t.regex(r.stderr, /^lifeboat: /m);
  await noResticOn(repo);
  t.is((await repo.snapshots()).length, before, 'no snapshot of the failed stream, no manifest snapshot');
  const images = await lifeboat(['images', repo.uri, '--json', ...repo.access], { env: repo.env });
  t.is(JSON.parse(images.stdout).images.length, 1);
  t.deepEqual(await privateLeft(repo), []);
});

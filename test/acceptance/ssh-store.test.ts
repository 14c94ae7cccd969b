// The SSH store against a real sshd started by the test (127.0.0.1, a free port, key only): the GPT disk backed up
// to ssh://, verified and restored identically; a wrong key, an unpinned host key, a closed port and a malformed URI
// refused in one line each with their exit codes and nothing written; the server killed mid-backup gives a clear
// error within 60 s and no complete-looking image that info, verify or restore would take (restore writes nothing);
// a server whose filesystem is full, before the first byte or during the write, gives exit 6 naming the store and
// leaves no image there; `images` lists what is there. After every job, no sshfs (nor its ssh) and no FUSE mount of
// the job is left.
import test from 'ava';
import { execa } from 'execa';
import { mkdir, readdir, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jsonLines, lifeboat, lifeboatBin, untilPrinted } from '../helpers/cli.js';
import { oneClearLine, sameDisk } from '../helpers/assert.js';
import { makeGptSource } from '../helpers/fixtures.js';
import { attach, ext4Disk, fileHash, makeSparse, scratch, type LoopDisk } from '../helpers/loop.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

/** Mount points are made in the test's own stores folder, so a leftover is seen. */
async function env(dir: string): Promise<Record<string, string>> {
  const stores = path.join(dir, 'stores');
  await mkdir(stores, { recursive: true });
  return { LIFEBOAT_STORES_DIR: stores };
}

function access(s: Sshd): string[] {
  return ['--ssh-key', s.clientKey, '--known-hosts', s.knownHosts];
}

/** The sshfs and ssh processes and the fuse.sshfs mounts of this test's server or stores folder. */
async function sshfsLeft(sshd: Sshd, stores: string): Promise<{ processes: string[]; mounts: string[] }> {
  const ours = (l: string) => l.includes(sshd.dir) || l.includes(stores) || new RegExp(`(^| )(-p ?|-oPort=)${sshd.port}( |$)`).test(l);
  const ps = async (name: string) => (await execa('pgrep', ['-a', '-x', name], { reject: false })).stdout.split('\n').filter((l) => l && ours(l));
  const processes = [...(await ps('sshfs')), ...(await ps('ssh'))];
  const mounts = (await readFile('/proc/mounts', 'utf8')).split('\n').filter((l) => l.split(' ')[2] === 'fuse.sshfs' && ours(l));
  return { processes, mounts };
}

/**
 * No mount point left in the stores folder (release unmounted and removed it), nothing mounted from there, and no
 * sshfs or ssh of this server still running (sshfs ends once unmounted: a moment is allowed for that, not more).
 */
async function nothingLeftMounted(t: import('ava').ExecutionContext, e: Record<string, string>, sshd: Sshd) {
  const stores = e['LIFEBOAT_STORES_DIR']!;
  t.deepEqual(await readdir(stores), [], 'the private mount point is removed');
  t.notRegex(await readFile('/proc/self/mountinfo', 'utf8'), new RegExp(stores.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'nothing is mounted there');
  let left = await sshfsLeft(sshd, stores);
  for (let i = 0; i < 30 && left.processes.length + left.mounts.length > 0; i++) {
    await sleep(100);
    left = await sshfsLeft(sshd, stores);
  }
  t.deepEqual(left, { processes: [], mounts: [] }, 'no sshfs, ssh or fuse.sshfs mount of this job is left');
}

/** A scratch dir, a started sshd, the test's stores folder, the GPT source disk, and the image's URI on the server. */
async function gptToSsh(t: import('ava').ExecutionContext) {
  const { dir, attached } = await scratch(t);
  const sshd = await startSshd(t);
  const e = await env(dir);
  const source = await makeGptSource(path.join(dir, 'source.img'));
  attached.push(source.disk);
  return { dir, attached, sshd, e, source, image: sshd.uri('pc') };
}

/** A 1000 MiB target disk with random bytes in its first and last MiB (the table's places), attached. */
async function markedTarget(dir: string, attached: LoopDisk[]): Promise<LoopDisk> {
  const file = path.join(dir, 'target.img');
  await makeSparse(file, 1000);
  for (const seek of [0, 999]) await execa('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=1', `seek=${seek}`, 'conv=notrunc', 'status=none']);
  const target = await attach(file);
  attached.push(target);
  return target;
}

/** The SHA-256 of a device's first MiB, read through the device itself. */
async function firstMiB(device: string): Promise<string> {
  const { stdout } = await execa('sh', ['-c', `dd if="$1" bs=1M count=1 iflag=direct status=none | sha256sum`, 'sh', device]);
  return stdout.split(' ')[0]!;
}

/** Starts a backup to the SSH store and returns once its first partition is on the server (a condition, not a delay). */
async function backupPastFirstPartition(sshd: Sshd, e: Record<string, string>, disk: string, image: string) {
  const child = execa('node', [lifeboatBin, 'backup', disk, image, '--json', ...access(sshd)], { reject: false, env: e, buffer: true, stdin: 'ignore' });
  await untilPrinted(child, /"type":"partition-done"/);
  return { child }; // wrapped: a returned execa child (a thenable) would be awaited to its end
}

test.serial('(a)(d) backup of the GPT disk to ssh:// -> images -> verify -> info -> restore onto a larger disk: everything identical', async (t) => {
  const { dir, attached, sshd, e, source, image } = await gptToSsh(t);
  const backup = await lifeboat(['backup', source.disk.device, image, '--json', ...access(sshd)], { env: e });
  t.is(backup.exitCode, 0, backup.stderr);
  t.is(jsonLines(backup.stdout).find((x) => x['type'] === 'result')?.['image'], image);
  t.true((await readdir(path.join(sshd.storeDir, 'pc'))).includes('lifeboat.json'), 'the image is on the server');
  await nothingLeftMounted(t, e, sshd);

  // The one naming rule through --store, too.
  const byStore = await lifeboat(['backup', source.disk.device, '--store', sshd.uri(), '--json', ...access(sshd)], { env: e });
  t.is(byStore.exitCode, 0, byStore.stderr);
  const named = String(jsonLines(byStore.stdout).find((x) => x['type'] === 'result')?.['image']);
  t.regex(named, new RegExp(`^${sshd.uri()}/${source.disk.name}-\\d{4}-\\d{2}-\\d{2}-\\d{4}$`));

  const images = await lifeboat(['images', sshd.uri(), '--json', ...access(sshd)], { env: e });
  t.is(images.exitCode, 0, images.stderr);
  const listed = JSON.parse(images.stdout).images as Array<Record<string, unknown>>;
  t.deepEqual(listed.map((i) => i['name']).sort(), ['pc', path.basename(named)].sort());
  for (const i of listed) {
    t.is(i['complete'], true);
    t.is(i['disk'], source.disk.name);
    t.true((i['sizeBytes'] as number) > 1_000_000);
    t.regex(String(i['time']), /^\d{4}-\d{2}-\d{2}T/);
  }
  const text = await lifeboat(['images', sshd.uri(), ...access(sshd)], { env: e });
  t.regex(text.stdout, /^pc\s+\S+\s+loop\d+\s+.+complete$/m);

  const verify = await lifeboat(['verify', image, ...access(sshd)], { env: e });
  t.is(verify.exitCode, 0, verify.stderr);
  const info = await lifeboat(['info', image, '--json', ...access(sshd)], { env: e });
  t.is(info.exitCode, 0, info.stderr);
  t.is(JSON.parse(info.stdout).state, 'complete');
  t.is(JSON.parse(info.stdout).image, image, 'info names the image by its URI, not the mount point');

  await makeSparse(path.join(dir, 'target.img'), 1000);
  const target = await attach(path.join(dir, 'target.img'));
  attached.push(target);
  const restore = await lifeboat(['restore', image, target.device, '--yes', '--json', ...access(sshd)], { env: e });
  t.is(restore.exitCode, 0, restore.stderr);
  await nothingLeftMounted(t, e, sshd);

  await sameDisk(t, source.disk, target);
});

test.serial('(b) wrong key, unpinned or changed host key, closed port, malformed URI: one line each, their exit codes, nothing written', async (t) => {
  const { dir, attached } = await scratch(t);
  const sshd = await startSshd(t);
  const e = await env(dir);
  await makeSparse(path.join(dir, 'src.img'), 64);
  await execa('sfdisk', ['-q', path.join(dir, 'src.img')], { input: 'label: dos\nsize=32M, type=83\n' });
  const src = await attach(path.join(dir, 'src.img'));
  attached.push(src);
  await execa('mkfs.ext4', ['-q', src.part(1)]);
  const image = sshd.uri('pc');

  const wrongKey = await lifeboat(['backup', src.device, image, '--ssh-key', sshd.wrongKey, '--known-hosts', sshd.knownHosts], { env: e });
  t.is(wrongKey.exitCode, 7, wrongKey.stderr);
  oneClearLine(t, wrongKey.stderr, /the SSH server of ssh:\/\/root@127\.0\.0\.1:\d+\/.* refused the key .*wrong_key: Permission denied \(publickey\)/);

  const emptyKnown = path.join(dir, 'empty_known_hosts');
  await writeFile(emptyKnown, '');
  const unpinned = await lifeboat(['backup', src.device, image, '--ssh-key', sshd.clientKey, '--known-hosts', emptyKnown], { env: e });
  t.is(unpinned.exitCode, 8, unpinned.stderr);
  oneClearLine(t, unpinned.stderr, new RegExp(`host key ED25519 ${sshd.hostFingerprint.replace(/[+/]/g, '\\$&')} is not pinned in ${emptyKnown}.*ssh-keyscan -p ${sshd.port} -t ed25519 127\\.0\\.0\\.1 >> ${emptyKnown}`));

  const otherKnown = path.join(dir, 'other_known_hosts');
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'other_host')]);
  const [type, key] = (await readFile(path.join(dir, 'other_host.pub'), 'utf8')).split(' ');
  await writeFile(otherKnown, `[127.0.0.1]:${sshd.port} ${type} ${key}\n`);
  const changed = await lifeboat(['verify', image, '--ssh-key', sshd.clientKey, '--known-hosts', otherKnown], { env: e });
  t.is(changed.exitCode, 8, changed.stderr);
  oneClearLine(t, changed.stderr, new RegExp(`host key has CHANGED from the one pinned in ${otherKnown}; it now shows ED25519 ${sshd.hostFingerprint.replace(/[+/]/g, '\\$&')}`));

  const closed = await lifeboat(['images', `ssh://root@127.0.0.1:1${sshd.storeDir}`, ...access(sshd)], { env: e });
  t.is(closed.exitCode, 7, closed.stderr);
  oneClearLine(t, closed.stderr, /the SSH store ssh:\/\/root@127\.0\.0\.1:1\/.* cannot be reached: .*Connection refused/);

  for (const bad of ['ssh://127.0.0.1/srv', `ssh://root@127.0.0.1:99999/srv`, 'ssh://root@/srv', 'ssh://root@127.0.0.1', 'ssh://-oProxyCommand=x@h/srv']) {
    const r = await lifeboat(['backup', src.device, '--store', bad, ...access(sshd)], { env: e });
    t.is(r.exitCode, 2, `${bad}: ${r.stderr}`);
    oneClearLine(t, r.stderr, /the store URI .* is malformed: /);
  }
  const smb = await lifeboat(['images', 'smb://u@nas/share']);
  t.is(smb.exitCode, 2);
  oneClearLine(t, smb.stderr, /SMB stores are not supported yet/);

  t.deepEqual(await readdir(sshd.storeDir), [], 'nothing was written on the server');
  await nothingLeftMounted(t, e, sshd);
});

test.serial('(c) sshd killed mid-backup: a clear error naming the store within 60 s, exit 7, nothing complete-looking on the server, restore refuses it', async (t) => {
  const { dir, attached, sshd, e, source, image } = await gptToSsh(t);
  const { child } = await backupPastFirstPartition(sshd, e, source.disk.device, image);
  const killedAt = Date.now();
  await sshd.kill();
  const r = await child;
  const seconds = (Date.now() - killedAt) / 1000;
  t.log(`the job ended ${seconds} s after the server died`);
  t.true(seconds < 60, `the job ended ${seconds} s after the server died: ${String(r.stderr)}`);
  t.is(r.exitCode, 7, String(r.stderr));
  t.regex(String(r.stderr).split('\n')[0]!, new RegExp(`^lifeboat: lost the connection to the SSH store ${sshd.uri().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} during the job`));
  await nothingLeftMounted(t, e, sshd);

  // On the server: no image under its name; the partial folder stays, marked in-progress.
  const left = await readdir(sshd.storeDir);
  t.false(left.includes('pc'));
  t.deepEqual(left, ['.pc.lifeboat-partial']);
  t.is(JSON.parse(await readFile(path.join(sshd.storeDir, '.pc.lifeboat-partial', 'lifeboat.json'), 'utf8')).state, 'in-progress');

  // The server back: info and verify refuse both names, images lists the partial one as incomplete.
  await sshd.restart();
  for (const cmd of ['info', 'verify']) {
    const gone = await lifeboat([cmd, image, ...access(sshd)], { env: e });
    t.is(gone.exitCode, 3, gone.stderr);
    const partial = await lifeboat([cmd, sshd.uri('.pc.lifeboat-partial'), ...access(sshd)], { env: e });
    t.is(partial.exitCode, 5, partial.stderr);
    oneClearLine(t, partial.stderr, /incomplete image/);
  }
  const images = await lifeboat(['images', sshd.uri(), '--json', ...access(sshd)], { env: e });
  t.is(images.exitCode, 0, images.stderr);
  t.like(JSON.parse(images.stdout).images, [{ name: 'pc', complete: false, state: 'partial' }]);
  await nothingLeftMounted(t, e, sshd);

  // restore refuses the partial image as incomplete (exit 5) and writes nothing to the target disk.
  const target = await markedTarget(dir, attached);
  const before = { head: await firstMiB(target.device), hash: await fileHash(target.file) };
  const restore = await lifeboat(['restore', sshd.uri('.pc.lifeboat-partial'), target.device, '--yes', ...access(sshd)], { env: e });
  t.is(restore.exitCode, 5, restore.stderr);
  oneClearLine(t, restore.stderr, /incomplete image/);
  t.is(await firstMiB(target.device), before.head, "the target's first MiB (table, boot code) is unchanged");
  t.is(await fileHash(target.file), before.hash, 'not one byte of the target changed');
  await nothingLeftMounted(t, e, sshd);
});

test.serial('a stop (SIGTERM) mid-backup to ssh://: exit 130, the partial image removed from the server, the mount released', async (t) => {
  const { sshd, e, source, image } = await gptToSsh(t);
  const { child } = await backupPastFirstPartition(sshd, e, source.disk.device, image);
  child.kill('SIGTERM');
  const r = await child;
  t.is(r.exitCode, 130, String(r.stderr));
  t.regex(String(r.stderr), /^lifeboat: stopped: /m);
  t.deepEqual(await readdir(sshd.storeDir), [], 'no image and no partial folder on the server');
  await nothingLeftMounted(t, e, sshd);
});

/**
 * An sshd whose served folder (its storeDir) is a 48 MiB ext4 filesystem mounted on the host (-m 0: no blocks kept
 * for root, whom the server's sessions run as; no lost+found), and a GPT source whose used data (an ext4 with 20 MiB
 * of random bytes) fits in it.
 */
async function smallServer(t: import('ava').ExecutionContext) {
  const { dir, attached } = await scratch(t);
  const sshd = await startSshd(t);
  const e = await env(dir);
  const fsFile = path.join(dir, 'server-fs.img');
  await makeSparse(fsFile, 48);
  const fsDisk = await attach(fsFile);
  attached.push(fsDisk);
  await execa('mkfs.ext4', ['-q', '-F', '-m', '0', fsDisk.device]);
  await execa('mount', [fsDisk.device, sshd.storeDir]);
  // Registered after scratch's and sshd's teardowns, so it runs before them (ava runs them in reverse).
  t.teardown(async () => {
    if ((await execa('umount', [sshd.storeDir], { reject: false })).exitCode !== 0) await execa('umount', ['-l', sshd.storeDir], { reject: false });
  });
  await rm(path.join(sshd.storeDir, 'lost+found'), { recursive: true });
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 64, label: 'fullsrc', randomMiB: 20 });
  return { sshd, e, source, image: sshd.uri('pc') };
}

/** Fills the server's filesystem (from the host) with one file, leaving `leave` bytes that root may still use. */
async function fillServer(sshd: Sshd, leave: number): Promise<void> {
  const s = await statfs(sshd.storeDir);
  const fill = s.bavail * s.bsize - leave;
  if (fill > 0) await execa('fallocate', ['-l', String(fill), path.join(sshd.storeDir, 'filler')]);
}

/** The server's store URI as a pattern. */
const uriPattern = (s: Sshd) => s.uri().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test.serial('(e) a full server before the first byte: refused, exit 6, the line names the ssh:// store, nothing written', async (t) => {
  const { sshd, e, source, image } = await smallServer(t);
  const plan = await lifeboat(['backup', source.device, image, '--dry-run', ...access(sshd)], { env: e });
  t.is(plan.exitCode, 0, plan.stderr);
  const [, needs, free] = /needs up to (\d+) bytes, (\d+) free/.exec(plan.stdout)!.map(Number);
  t.log(`the backup needs up to ${needs} bytes; the empty server has ${free} free`);
  t.true(needs! < free!, 'the source fits the empty server');

  await fillServer(sshd, needs! - 4 * 1024 * 1024); // 4 MiB too little
  const r = await lifeboat(['backup', source.device, image, ...access(sshd)], { env: e });
  t.is(r.exitCode, 6, r.stderr);
  oneClearLine(t, r.stderr, new RegExp(`^lifeboat: not enough free space at ${uriPattern(sshd)}: \\d+ bytes free, the source uses ${needs} bytes`));
  t.notRegex(r.stderr, new RegExp(e['LIFEBOAT_STORES_DIR']!), 'the local mount point is not shown');
  t.deepEqual(await readdir(sshd.storeDir), ['filler'], 'nothing was written on the server');
  await nothingLeftMounted(t, e, sshd);
});

test.serial('(f) the server fills up during the write: exit 6, "the destination is full" naming the ssh:// store, the partial image removed', async (t) => {
  const { sshd, e, source, image } = await smallServer(t);
  // The check passes on the empty server. Once the plan is printed (the free space checked, nothing of the image
  // written yet), the server is paused, its filesystem filled up to 256 KiB (room for the image's folder and its
  // small files, not its partition's 20 MiB), and let go on: the writes fail on the server (sftp's generic failure).
  const child = execa('node', [lifeboatBin, 'backup', source.device, image, ...access(sshd)], { reject: false, env: e, buffer: true, stdin: 'ignore' });
  await untilPrinted(child, /needs up to \d+ bytes, \d+ free/, 'stderr');
  await sshd.pause();
  try {
    await fillServer(sshd, 256 * 1024);
  } finally {
    await sshd.resume();
  }
  const r = await child;
  t.is(r.exitCode, 6, String(r.stderr));
  t.regex(String(r.stderr), /^saving loop\d+p1 \(ext4\)$/m, "the partition's data had begun to flow");
  const line = String(r.stderr).split('\n').find((l) => l.startsWith('lifeboat: ')) ?? '';
  t.regex(line, new RegExp(`^lifeboat: the destination is full: the server of the SSH store ${uriPattern(sshd)} has no room left`));
  t.notRegex(String(r.stderr), /^\s+at /m, 'no stack trace');
  t.notRegex(String(r.stderr), new RegExp(e['LIFEBOAT_STORES_DIR']!), 'the local mount point is not shown');
  t.deepEqual(await readdir(sshd.storeDir), ['filler'], 'no image and no partial folder on the server');
  await nothingLeftMounted(t, e, sshd);
});

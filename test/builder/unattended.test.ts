// Slow suite: the unattended jobs of the kernel command line, end to end under QEMU (TCG). The ISO's own kernel and
// initrd boot with the ISO as the CD (live-boot finds the squashfs there) and the boot menu's parameters plus
// lifeboat.job=…: a backup of a real source disk (an MBR disk with two ext4 partitions full of files) onto a store
// disk (ext4, label STORE), after which the host finds the image and `lifeboat verify` passes; a restore of that image
// onto a blank disk, after which the host compares every file with the source; and a backup into a restic repository
// on the store disk. A job line that makes no job is refused in test/harness/lab.test.ts's boot (it stays at a shell).
// Needs root, qemu-system-x86 and the ISO (see iso-under-test.ts); LIFEBOAT_SKIP_ISO_BOOT=1 skips the suite.
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { kernelParams } from '../../builder/boot/kernel-params.js';
import { defaultIsoConfig } from '../../iso-config/load.js';
import { lifeboat } from '../helpers/cli.js';
import { fingerprint, writeFiles, type Fingerprint } from '../helpers/fixtures.js';
import { attach, fileHash, makeSparse, partition, tempDir, withMount } from '../helpers/loop.js';
import { bootKernelUntilExit } from '../../harness/boot.js';
import { extractKernel } from '../../harness/extract-kernel.js';
import { isoUnderTest, skipIsoBoot } from './iso-under-test.js';

const bootTimeoutMs = 8 * 60_000;
const config = defaultIsoConfig();
const entry = config.boot.entries.find((e) => e.id === config.boot.default) ?? config.boot.entries[0]!;
/** The default menu entry's command line, as grub.cfg has it; the job's parameters come after it. */
const menuParams = kernelParams(config, entry);

let dir = '';
let iso = '';
let kernel = { kernel: '', initrd: '' };
let sourceFingerprint: Fingerprint | undefined;
const files = { source: '', store: '', target: '', fromRepository: '' };
/** The restic repository's password, in a file on the store disk (the kernel command line names its place only). */
const repositoryPassword = 'unattended-restic-pw-9f3e';

/** MBR: 1 ext4 (40M, 300 files and 3 MiB of random bytes), 2 ext4 (20M, 100 files and the same); 64 MiB in all. */
async function makeSource(file: string): Promise<Fingerprint> {
  await makeSparse(file, 64);
  await partition(file, ['label: dos', 'label-id: 0x4c425545', 'size=40M, type=83, bootable', 'size=20M, type=83'].join('\n'));
  const disk = await attach(file);
  try {
    await execa('mkfs.ext4', ['-q', '-F', '-L', 'e2eone', disk.part(1)]);
    await withMount(disk.part(1), (d) => writeFiles(d, 300, 'one'));
    await execa('mkfs.ext4', ['-q', '-F', '-L', 'e2etwo', disk.part(2)]);
    await withMount(disk.part(2), (d) => writeFiles(d, 100, 'two'));
    return await fingerprint(disk);
  } finally {
    await disk.detach();
  }
}

/** MBR with one ext4 partition labelled STORE, holding an empty /images. */
async function makeStore(file: string): Promise<void> {
  await makeSparse(file, 256);
  await partition(file, ['label: dos', 'type=83'].join('\n'));
  const disk = await attach(file);
  try {
    await execa('mkfs.ext4', ['-q', '-F', '-L', 'STORE', disk.part(1)]);
    await withMount(disk.part(1), async (d) => {
      await execa('mkdir', [path.join(d, 'images')]);
      await writeFile(path.join(d, 'restic.pass'), `${repositoryPassword}\n`, { mode: 0o600 });
    });
  } finally {
    await disk.detach();
  }
}

function boot(job: string[], disks: string[], stopAfter?: { match: RegExp; delayMs: number }) {
  return bootKernelUntilExit({ ...kernel, iso, disks, append: [...menuParams, ...job].join(' '), timeoutMs: bootTimeoutMs, stopAfter });
}

/** The serial text from the job's start on (the entry point's "Running: …" or its refusal). */
function jobTail(serial: string): string {
  const at = serial.search(/Running: lifeboat|lifeboat: cannot run the job/);
  return at < 0 ? serial.slice(-3000) : serial.slice(at, at + 4000);
}

/** Which console ran the job: the serial port, or tty1 (then only the job's announced lines reach the serial port). */
function jobConsole(serial: string): string {
  return /runs on another console/.test(serial) ? 'tty1 (the serial port got its announced lines)' : 'the serial port';
}

/** A boot that runs one job and powers off: its time and console logged, the power-off asserted. */
async function jobBoot(t: ExecutionContext, what: string, job: string[], disks: string[]) {
  const r = await boot(job, disks);
  t.log(`${what} boot: ${r.seconds.toFixed(0)} s, powered off: ${r.exited}; the job ran on ${jobConsole(r.serial)}`);
  t.log(jobTail(r.serial).split('\n').slice(0, 40).join('\n'));
  t.true(r.exited, `the guest did not power off\n${jobTail(r.serial)}\n--- tail ---\n${r.serial.slice(-2000)}`);
  return r;
}

test.before(async (t) => {
  if (skipIsoBoot) return;
  iso = await isoUnderTest((l) => t.log(l));
  dir = await tempDir('lifeboat-unattended-');
  kernel = await extractKernel(iso, dir);
  files.source = path.join(dir, 'source.img');
  files.store = path.join(dir, 'store.img');
  files.target = path.join(dir, 'target.img');
  files.fromRepository = path.join(dir, 'from-repository.img');
  sourceFingerprint = await makeSource(files.source);
  await makeStore(files.store);
  await makeSparse(files.target, 64);
  await makeSparse(files.fromRepository, 64);
});

test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

(skipIsoBoot ? test.skip : test.serial)('lifeboat.job=backup: the image lands on the store, the guest powers off, lifeboat verify passes on the host', async (t) => {
  t.timeout(bootTimeoutMs + 120_000);
  const sourceBefore = await fileHash(files.source);
  const r = await jobBoot(t, 'backup', ['lifeboat.job=backup', 'lifeboat.disk=/dev/vda', 'lifeboat.store=LABEL=STORE:/images', 'lifeboat.image=e2e', 'lifeboat.after=poweroff'], [files.source, files.store]);
  t.regex(r.serial, /Running: lifeboat backup \/dev\/vda LABEL=STORE:\/images\/e2e/);
  t.regex(r.serial, /lifeboat: the job succeeded; poweroff now\./);
  t.is(await fileHash(files.source), sourceBefore, 'the backup left the source disk as it was');
  const store = await attach(files.store);
  try {
    await withMount(store.part(1), async (m) => {
      const image = path.join(m, 'images', 'e2e');
      const v = await lifeboat(['verify', image]);
      t.log(`lifeboat verify: exit ${v.exitCode}; ${v.stdout.trim().split('\n').slice(-3).join(' | ')}`);
      t.is(v.exitCode, 0, `${v.stdout}\n${v.stderr}`);
      // The job's log on the store: what ran and the outcome.
      const logs = (await readdir(path.join(m, 'images'))).filter((f) => /^lifeboat-backup-[0-9-]+\.log$/.test(f));
      t.is(logs.length, 1, `logs on the store: ${logs.join(', ')}`);
      const log = await readFile(path.join(m, 'images', logs[0]!), 'utf8');
      t.regex(log, /Lifeboat unattended job: lifeboat backup \/dev\/vda LABEL=STORE:\/images\/e2e/);
      t.regex(log, /outcome: succeeded: saved \/dev\/vda to LABEL=STORE:\/images\/e2e/);
    }, ['-o', 'ro']);
  } finally {
    await store.detach();
  }
});

(skipIsoBoot ? test.skip : test.serial)('lifeboat.job=restore: the image goes onto a blank disk, which holds every file of the source', async (t) => {
  t.timeout(bootTimeoutMs + 120_000);
  const r = await jobBoot(t, 'restore', ['lifeboat.job=restore', 'lifeboat.disk=/dev/vdb', 'lifeboat.store=LABEL=STORE:/images', 'lifeboat.image=e2e', 'lifeboat.after=poweroff'], [files.store, files.target]);
  t.regex(r.serial, /Running: lifeboat restore LABEL=STORE:\/images\/e2e \/dev\/vdb --yes/);
  t.regex(r.serial, /lifeboat: the job's log is lifeboat-restore-[0-9-]+\.log on LABEL=STORE:\/images/);
  t.regex(r.serial, /lifeboat: the job succeeded; poweroff now\./);
  const target = await attach(files.target);
  try {
    t.deepEqual(await fingerprint(target), sourceFingerprint);
  } finally {
    await target.detach();
  }
});

(skipIsoBoot ? test.skip : test.serial)('lifeboat.store=restic:LABEL=STORE:/repo: the backup goes into a new repository on the store disk (password file by place), and restores from it onto a blank disk', async (t) => {
  t.timeout(bootTimeoutMs + 180_000);
  const sourceBefore = await fileHash(files.source);
  const r = await jobBoot(t, 'repository backup', ['lifeboat.job=backup', 'lifeboat.disk=/dev/vda', 'lifeboat.store=restic:LABEL=STORE:/repo', 'lifeboat.password-file=LABEL=STORE:/restic.pass', 'lifeboat.after=poweroff'], [files.source, files.store]);
  t.regex(r.serial, /Running: lifeboat backup \/dev\/vda restic:LABEL=STORE:\/repo --password-file LABEL=STORE:\/restic.pass/);
  t.regex(r.serial, /lifeboat: the job succeeded; poweroff now\./);
  t.false(r.serial.includes(repositoryPassword), 'the password never reaches the console');
  t.is(await fileHash(files.source), sourceBefore, 'the backup left the source disk as it was');
  const store = await attach(files.store);
  try {
    // restic writes its locks even to read: the store is mounted read-write for the host's restore.
    await withMount(store.part(1), async (m) => {
      const repo = `restic:${path.join(m, 'repo')}`;
      const pw = ['--password-file', path.join(m, 'restic.pass')];
      const listed = await lifeboat(['images', repo, ...pw, '--json']);
      t.is(listed.exitCode, 0, listed.stderr);
      t.log(`lifeboat images: ${listed.stdout.trim().split('\n').slice(-1)[0]}`);
      const logs = (await readdir(m)).filter((f) => /^lifeboat-backup-[0-9-]+\.log$/.test(f));
      t.is(logs.length, 1, `logs beside the repository: ${logs.join(', ')}`);
      const log = await readFile(path.join(m, logs[0]!), 'utf8');
      t.regex(log, /Lifeboat unattended job: lifeboat backup \/dev\/vda restic:LABEL=STORE:\/repo --password-file LABEL=STORE:\/restic.pass/);
      t.regex(log, /outcome: succeeded: saved \/dev\/vda to restic:/);
      t.false(log.includes(repositoryPassword), 'the password never reaches the log');
      const target = await attach(files.fromRepository);
      try {
        const restored = await lifeboat(['restore', repo, target.device, ...pw, '--yes']);
        t.is(restored.exitCode, 0, `${restored.stdout}\n${restored.stderr}`);
        t.deepEqual(await fingerprint(target), sourceFingerprint);
      } finally {
        await target.detach();
      }
    });
  } finally {
    await store.detach();
  }
});

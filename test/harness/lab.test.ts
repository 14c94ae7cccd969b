// Slow suite: the guest lab itself (harness/lab.ts), in one boot of the ISO under test: scenario disks are there as
// /dev/vda…, files come back from $OUT, a failing scenario is reported as failed (bash -eu stops at the first
// failure), and the guest has what this host's kernel lacks and later issues test there (device-mapper with dm-error,
// md, vfat). Its network reaches a server on the host's 127.0.0.1 only through an explicit forward: the host itself
// (10.0.2.2, which QEMU would otherwise map to the host's loopback) is not reachable. The same boot carries issue 16's
// schedule scenario, which needs a system that systemd runs: `schedule add` enables and starts the timer, the service
// started by hand (as the timer would) images /dev/vdc into the store on /dev/vdd with the outcome in the journal and
// the history, and a run whose store is gone fails its unit, says so in the journal and calls --on-failure. Its
// kernel command line also carries a job line that makes no job, refused on the console (the live system's runner).
// Needs root, qemu-system-x86, socat and the ISO (see test/builder/iso-under-test.ts); LIFEBOAT_SKIP_ISO_BOOT=1 skips it.
import test from 'ava';
import { execa } from 'execa';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import path from 'node:path';
import { kernelParams } from '../../builder/boot/kernel-params.js';
import { defaultIsoConfig } from '../../iso-config/load.js';
import { extractKernel } from '../../harness/extract-kernel.js';
import { runLab, type LabResult } from '../../harness/lab.js';
import { isoUnderTest, skipIsoBoot } from '../builder/iso-under-test.js';
import { attach, fileHash, makeSparse, partition, tempDir, withMount } from '../helpers/loop.js';
import { writeFiles } from '../helpers/fixtures.js';

const config = defaultIsoConfig();
const entry = config.boot.entries.find((e) => e.id === config.boot.default) ?? config.boot.entries[0]!;
const marker = `LIFEBOAT-READY node=v${config.node.version}`;
const guestPort = 7000;

let dir = '';
let server: Server | undefined;
let result: LabResult | undefined;
let refusedStore = '';
let refusedStoreHash = '';
const refusedJob = ['lifeboat.job=backup', 'lifeboat.store=LABEL=REFUSEDSTORE:/images', 'lifeboat.after=poweroff'];

const scenarios = [
  {
    name: 'disks',
    script: [
      'blkid -p -o value -s LABEL /dev/vda >"$OUT/label"',
      'mkdir -p /mnt/a && mount -o ro /dev/vda /mnt/a',
      'cat /mnt/a/hello.txt >"$OUT/hello"',
      'umount /mnt/a',
      'cp "$FILES/given.txt" "$OUT/given"',
    ].join('\n'),
  },
  {
    name: 'fails',
    script: 'echo before\nfalse\necho after\n',
  },
  {
    name: 'kernel',
    script: [
      // device-mapper, with a target that fails every read (the bad-sector tests need it)
      'modprobe dm_mod && test -c /dev/mapper/control',
      'dmsetup create lab-error --table "0 2048 error"',
      'if dd if=/dev/mapper/lab-error of=/dev/null bs=512 count=1 2>"$OUT/dd-error"; then echo read >"$OUT/dm"; else echo EIO >"$OUT/dm"; fi',
      'dmsetup remove lab-error',
      // md
      'modprobe md_mod && test -e /proc/mdstat && echo md >"$OUT/md"',
      // vfat: made, mounted, written, read back
      'mkfs.vfat -n LABFAT /dev/vdb >/dev/null',
      'mkdir -p /mnt/f && mount -t vfat /dev/vdb /mnt/f',
      'echo fat-ok >/mnt/f/x.txt && umount /mnt/f && mount -o ro -t vfat /dev/vdb /mnt/f',
      'cat /mnt/f/x.txt >"$OUT/vfat"',
      'umount /mnt/f',
    ].join('\n'),
  },
  {
    name: 'network',
    script: [
      // systemd-networkd's DHCP from QEMU's user network
      'for i in $(seq 90); do ip -4 -o addr show | grep -q " 10\\.0\\.2\\." && break; sleep 1; done',
      'ip -4 -o addr show >"$OUT/addr"',
      `exec 3<>/dev/tcp/10.0.2.100/${guestPort}`,
      'read -r line <&3 && echo "$line" >"$OUT/reply"',
      'exec 3<&-',
      // The host's own address in QEMU's user network: with restrict=on nothing goes there.
      'HOSTPORT=$(cat "$FILES/port")',
      'if timeout 10 bash -c "exec 4<>/dev/tcp/10.0.2.2/$HOSTPORT" 2>/dev/null; then echo reachable >"$OUT/direct"; else echo blocked >"$OUT/direct"; fi',
    ].join('\n'),
  },
  {
    name: 'schedule',
    script: [
      `lifeboat schedule add labtimer --disk /dev/vdc --to LABEL=LABSTORE:/images --at "daily 02:00" --on-failure 'echo "$LIFEBOAT_EXIT_CODE" >/run/labtimer-failed' >"$OUT/add"`,
      'systemctl is-enabled lifeboat-labtimer.timer >"$OUT/enabled"',
      'systemctl is-active lifeboat-labtimer.timer >"$OUT/active"',
      'systemctl show lifeboat-labtimer.timer -p NextElapseUSecRealtime --value >"$OUT/next"',
      'systemctl start lifeboat-labtimer.service',
      'journalctl -u lifeboat-labtimer.service --no-pager -o cat >"$OUT/journal"',
      'lifeboat schedule history labtimer --json >"$OUT/history"',
      'mkdir -p /mnt/s && mount -o ro LABEL=LABSTORE /mnt/s && ls /mnt/s/images >"$OUT/images" && umount /mnt/s',
      'test ! -e /run/labtimer-failed',
      `lifeboat schedule add labfail --disk /dev/vdc --to LABEL=NOSUCHSTORE:/images --at hourly --on-failure 'echo "$LIFEBOAT_EXIT_CODE" >/run/labfail' >/dev/null`,
      'if systemctl start lifeboat-labfail.service; then echo ok >"$OUT/fail-unit"; else echo failed >"$OUT/fail-unit"; fi',
      'cat /run/labfail >"$OUT/on-failure"',
      'journalctl -u lifeboat-labfail.service --no-pager -o cat >"$OUT/fail-journal"',
    ].join('\n'),
  },
];

/** A disk file with one MBR partition holding an ext4 labelled label, filled by fill (mounted). */
async function ext4Disk(file: string, mib: number, label: string, fill: (dir: string) => Promise<unknown>): Promise<string> {
  await makeSparse(file, mib);
  await partition(file, 'label: dos\ntype=83\n');
  const disk = await attach(file);
  try {
    await execa('mkfs.ext4', ['-q', '-F', '-L', label, disk.part(1)]);
    await withMount(disk.part(1), fill);
  } finally {
    await disk.detach();
  }
  return file;
}

/** The schedule scenario's disks: a source (one ext4 with files) and a store (ext4 LABSTORE with /images). */
async function scheduleDisks(dir: string): Promise<[string, string]> {
  return [await ext4Disk(path.join(dir, 'vdc.img'), 48, 'labsrc', (d) => writeFiles(d, 200, 'lab')), await ext4Disk(path.join(dir, 'vdd.img'), 96, 'LABSTORE', (d) => mkdir(path.join(d, 'images')))];
}

test.before(async (t) => {
  if (skipIsoBoot) return;
  const iso = await isoUnderTest((l) => t.log(l));
  dir = await tempDir('lifeboat-lab-');
  const kernel = await extractKernel(iso, dir);
  // /dev/vda: ext4 with a file, made without mounting; /dev/vdb: blank, for vfat.
  const tree = path.join(dir, 'vda-tree');
  await mkdir(tree);
  await writeFile(path.join(tree, 'hello.txt'), 'hello from the host\n');
  const vda = path.join(dir, 'vda.img');
  await makeSparse(vda, 32);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'LABDISK', '-d', tree, vda]);
  const vdb = path.join(dir, 'vdb.img');
  await makeSparse(vdb, 64);
  // A server on the host's loopback only, answering one line per connection.
  server = createServer((s) => s.end('lab-hello\n'));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const hostPort = (server.address() as AddressInfo).port;
  // /dev/vde: the store the refused job names; hashed before the boot and after it.
  refusedStore = path.join(dir, 'refused-store.img');
  await makeSparse(refusedStore, 16);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'REFUSEDSTORE', '-d', tree, refusedStore]);
  refusedStoreHash = await fileHash(refusedStore);
  result = await runLab({
    iso,
    kernel,
    // A job line that makes no job (a backup without lifeboat.disk=): refused on the console, the guest stays at its
    // shell (where the scenarios then run) and the store disk it names is untouched. Folded into this boot from
    // unattended.test.ts, which boots only jobs that run.
    append: [...kernelParams(config, entry), ...refusedJob].join(' '),
    marker,
    disks: [vda, vdb, ...(await scheduleDisks(dir)), refusedStore],
    scenarios,
    files: { 'given.txt': 'given by the test\n', port: `${hostPort}\n` },
    forwards: [{ guestPort, hostPort }],
    workDir: dir,
    timeoutMs: 10 * 60_000,
  });
  t.log(`lab boot and ${scenarios.length} scenarios: ${result.seconds.toFixed(0)} s`);
});

test.after.always(async () => {
  server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const lab = skipIsoBoot ? test.skip : test.serial;
const out = (name: string, file: string) => readFile(path.join(result!.scenarios[name]!.dir, file), 'utf8');

lab('scenario disks are /dev/vda… in order; files go in through $FILES and come back from $OUT', async (t) => {
  const r = result!.scenarios['disks']!;
  t.is(r.exitCode, 0, r.log);
  t.is(await out('disks', 'label'), 'LABDISK\n');
  t.is(await out('disks', 'hello'), 'hello from the host\n');
  t.is(await out('disks', 'given'), 'given by the test\n');
});

lab('a job line without a disk is refused on the serial console, nothing runs, and the store it names is untouched', async (t) => {
  t.regex(result!.serial, /lifeboat: cannot run the job from the kernel command line: lifeboat\.job=backup needs lifeboat\.disk=/);
  t.notRegex(result!.serial, /Running: lifeboat/);
  t.is(await fileHash(refusedStore), refusedStoreHash, 'the store disk is byte for byte as before');
});

lab('a failing scenario is reported failed, stopped at its first failing command, and the next one still runs', (t) => {
  const r = result!.scenarios['fails']!;
  t.is(r.exitCode, 1);
  t.regex(r.log, /before/);
  t.notRegex(r.log, /after/);
  t.is(result!.scenarios['kernel']!.exitCode, 0, result!.scenarios['kernel']!.log);
});

lab('the guest has device-mapper (dm-error fails reads with EIO), md and vfat', async (t) => {
  t.is(await out('kernel', 'dm'), 'EIO\n');
  t.regex(await out('kernel', 'dd-error'), /Input\/output error/);
  t.is(await out('kernel', 'md'), 'md\n');
  t.is(await out('kernel', 'vfat'), 'fat-ok\n');
});

lab("the guest reaches a server on the host's 127.0.0.1 through its forward only, not the host itself", async (t) => {
  const r = result!.scenarios['network']!;
  t.is(r.exitCode, 0, r.log);
  t.is(await out('network', 'reply'), 'lab-hello\n');
  t.is(await out('network', 'direct'), 'blocked\n');
});

lab('schedule (issue 16): the timer is enabled and started by systemd; its service images the disk, with the outcome in the journal and the history; a failing run fails its unit and calls --on-failure', async (t) => {
  const r = result!.scenarios['schedule']!;
  t.is(r.exitCode, 0, r.log);
  t.regex(await out('schedule', 'add'), /lifeboat-labtimer\.timer enabled and started/);
  t.is(await out('schedule', 'enabled'), 'enabled\n');
  t.is(await out('schedule', 'active'), 'active\n');
  t.regex(await out('schedule', 'next'), /\d{4}-\d{2}-\d{2} 02:00:00/);
  const journal = await out('schedule', 'journal');
  t.regex(journal, /schedule labtimer: saved \/dev\/vdc to LABEL=LABSTORE:\/images\/vdc-\d{4}-\d{2}-\d{2}-\d{4}/, journal);
  const runs = (JSON.parse((await out('schedule', 'history')).trim().split('\n').at(-1)!) as { runs: Array<{ ok: boolean; image?: string }> }).runs;
  t.is(runs.length, 1);
  t.true(runs[0]!.ok);
  const images = (await out('schedule', 'images')).trim().split('\n');
  t.is(images.length, 1, images.join(', '));
  t.true(runs[0]!.image!.endsWith(images[0]!));
  t.is(await out('schedule', 'fail-unit'), 'failed\n');
  t.is(await out('schedule', 'on-failure'), '3\n');
  t.regex(await out('schedule', 'fail-journal'), /lifeboat: .*LABEL=NOSUCHSTORE/);
});

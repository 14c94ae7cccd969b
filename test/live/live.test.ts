// The live system's side: lifeboat.* kernel parameters both ways, and the unattended job they make.
import test from 'ava';
import { describeAutorun, planAutorun, type AutorunPlan } from '../../live/autorun.js';
import { parseStoreRef } from '../../imager/store/open.js';
import { autorunKernelParams, consoleDevices, parseLifeboatParams } from '../../core/live/cmdline.js';
import { readyMarker } from '../../core/live/layout.js';
import { opensUi } from '../../live/ui-consoles.js';
// Type-checked with the tests, never run here (both act on import: the entry point takes over the terminal).
import type {} from '../../live/entry.js';
import type {} from '../../live/lifeboat.js';

test('config autorun → kernel parameters → parsed back the same', (t) => {
  const autorun = { job: 'restore', disk: '/dev/nvme0n1', store: 'UUID=1234-ABCD:/images/pc', image: 'pc-2026', after: 'reboot' };
  const params = autorunKernelParams(autorun);
  t.deepEqual(params, ['lifeboat.job=restore', 'lifeboat.disk=/dev/nvme0n1', 'lifeboat.store=UUID=1234-ABCD:/images/pc', 'lifeboat.image=pc-2026', 'lifeboat.after=reboot']);
  t.deepEqual(parseLifeboatParams(`BOOT_IMAGE=/live/vmlinuz boot=live ${params.join(' ')} quiet\n`), autorun);
  t.deepEqual(autorunKernelParams(undefined), []);
});

test('the last lifeboat.job wins, unknown lifeboat.* keys are ignored', (t) => {
  t.deepEqual(parseLifeboatParams('lifeboat.job=backup lifeboat.colour=red lifeboat.job=none'), { job: 'none' });
});

test('stores: a device or LABEL=/UUID=, with an optional folder (Clonezilla\'s forms), or a folder', (t) => {
  t.deepEqual(parseStoreRef('LABEL=BACKUPS:/images/'), { kind: 'partition', device: 'LABEL=BACKUPS', folder: '/images' });
  t.deepEqual(parseStoreRef('UUID=1234-ABCD:/images/pc'), { kind: 'partition', device: 'UUID=1234-ABCD', folder: '/images/pc' });
  t.deepEqual(parseStoreRef('/dev/sdb1'), { kind: 'partition', device: '/dev/sdb1', folder: '' });
  t.deepEqual(parseStoreRef('/mnt/stick'), { kind: 'folder', path: '/mnt/stick' });
  t.throws(() => parseStoreRef('smb://nas/share/images'), { message: /SMB stores are not supported yet/ });
  t.throws(() => parseStoreRef('nfs://nas/export/images'), { message: /NFS stores are not supported yet/ });
  t.like(parseStoreRef('ssh://backup@nas/srv/images'), { kind: 'ssh', user: 'backup', host: 'nas', port: undefined, path: '/srv/images' });
});

test('autorun plans: each job with its store, disk and image; the command it stands for', (t) => {
  const backup = planAutorun({ job: 'backup', disk: '/dev/sda', store: 'LABEL=B:/img', after: 'poweroff' });
  t.deepEqual(backup, { job: 'backup', storeText: 'LABEL=B:/img', store: { kind: 'partition', device: 'LABEL=B', folder: '/img' }, disk: '/dev/sda', image: undefined, after: 'poweroff', rescue: false, passwordFile: undefined });
  t.is(describeAutorun(backup as AutorunPlan), 'lifeboat backup /dev/sda LABEL=B:/img/<disk>-<date>');
  const restore = planAutorun({ job: 'restore', disk: '/dev/sda', store: '/dev/sdb1', image: 'pc' });
  t.deepEqual(restore, { job: 'restore', storeText: '/dev/sdb1', store: { kind: 'partition', device: '/dev/sdb1', folder: '' }, disk: '/dev/sda', image: 'pc', after: 'shell', rescue: false, passwordFile: undefined });
  t.is(describeAutorun(restore as AutorunPlan), 'lifeboat restore /dev/sdb1:/pc /dev/sda --yes');
  const repair = planAutorun({ job: 'repair-boot', disk: '/dev/sda', store: '/dev/sdb1', image: 'pc' });
  t.is(describeAutorun(repair as AutorunPlan), 'lifeboat restore /dev/sdb1:/pc /dev/sda --boot-only --yes');
  const verify = planAutorun({ job: 'verify', store: '/dev/sdb1', image: 'pc' });
  t.is(describeAutorun(verify as AutorunPlan), 'lifeboat verify /dev/sdb1:/pc');
});

test('autorun plans: a restic repository in a partition, its password file by place (never the password), the newest snapshot by default', (t) => {
  const backup = planAutorun({ job: 'backup', disk: '/dev/sda', store: 'restic:LABEL=STORE:/repo', passwordFile: 'LABEL=KEYS:/restic.pass', after: 'poweroff' });
  t.like(backup, { job: 'backup', store: { kind: 'restic', uri: 'restic:LABEL=STORE:/repo', on: { device: 'LABEL=STORE', folder: 'repo' } }, passwordFile: { text: 'LABEL=KEYS:/restic.pass', place: { kind: 'partition', device: 'LABEL=KEYS', file: 'restic.pass' } } });
  t.is(describeAutorun(backup as AutorunPlan), 'lifeboat backup /dev/sda restic:LABEL=STORE:/repo --password-file LABEL=KEYS:/restic.pass');
  const restore = planAutorun({ job: 'restore', disk: '/dev/sda', store: 'restic:/dev/sdb1:/backups/repo', passwordFile: '/run/lifeboat/pass' });
  t.like(restore, { image: 'latest', store: { on: { device: '/dev/sdb1', folder: 'backups/repo' } }, passwordFile: { place: { kind: 'path', path: '/run/lifeboat/pass' } } });
  t.is(describeAutorun(restore as AutorunPlan), 'lifeboat restore restic:/dev/sdb1:/backups/repo#latest /dev/sda --yes --password-file /run/lifeboat/pass');
  const one = planAutorun({ job: 'verify', store: 'restic:UUID=1234-ABCD', image: '4f2a9c1e', passwordFile: 'UUID=1234-ABCD:/pass' });
  t.like(one, { image: '4f2a9c1e', store: { on: { device: 'UUID=1234-ABCD', folder: '' } } });
  t.is(describeAutorun(one as AutorunPlan), 'lifeboat verify restic:UUID=1234-ABCD#4f2a9c1e --password-file UUID=1234-ABCD:/pass');
  t.deepEqual(planAutorun({ job: 'backup', disk: '/dev/sda', store: 'restic:LABEL=STORE:/repo' }), { error: "lifeboat.store=restic:LABEL=STORE:/repo needs lifeboat.password-file= (where the repository's password is: the password itself never goes on the command line)" });
  t.deepEqual(planAutorun({ job: 'backup', disk: '/dev/sda', store: 'LABEL=STORE:/img', passwordFile: 'LABEL=K:/p' }), { error: 'lifeboat.password-file=LABEL=K:/p: only a restic: store has a password (lifeboat.store=LABEL=STORE:/img)' });
  t.deepEqual(planAutorun({ job: 'backup', disk: '/dev/sda', store: 'restic:LABEL=S:/r', passwordFile: 'LABEL=K' }), { error: 'lifeboat.password-file=LABEL=K: give a file in a partition (LABEL=KEYS:/restic.pass, /dev/sdc1:/pass) or an absolute path' });
  t.deepEqual(planAutorun({ job: 'backup', disk: '/dev/sda', store: 'restic:LABEL=S:/r', passwordFile: 'LABEL=K:/../etc/shadow' }), { error: 'lifeboat.password-file=LABEL=K:/../etc/shadow: name a file in the partition, as LABEL=KEYS:/restic.pass' });
  t.deepEqual(parseLifeboatParams('boot=live lifeboat.job=backup lifeboat.password-file=LABEL=KEYS:/p lifeboat.passwordfile=x'), { job: 'backup', passwordFile: 'LABEL=KEYS:/p' });
  t.deepEqual(autorunKernelParams({ job: 'backup', store: 'restic:LABEL=S:/r', passwordFile: 'LABEL=K:/p' }), ['lifeboat.job=backup', 'lifeboat.store=restic:LABEL=S:/r', 'lifeboat.password-file=LABEL=K:/p']);
});

test('autorun plans: what is missing, in words', (t) => {
  t.deepEqual(planAutorun({ job: 'none' }), { error: 'no job (lifeboat.job is not set, or none)' });
  t.deepEqual(planAutorun({ job: 'backup', store: 'LABEL=B' }), { error: 'lifeboat.job=backup needs lifeboat.disk=' });
  t.deepEqual(planAutorun({ job: 'restore', disk: '/dev/sda', store: 'LABEL=B' }), { error: 'lifeboat.job=restore needs lifeboat.disk= and lifeboat.image=' });
  t.deepEqual(planAutorun({ job: 'backup', disk: '/dev/sda' }), { error: 'lifeboat.job=backup needs lifeboat.store=' });
  t.deepEqual(planAutorun({ job: 'repair-boot', store: 'LABEL=B', image: 'pc' }), { error: 'lifeboat.job=repair-boot needs lifeboat.disk= and lifeboat.image=' });
  t.deepEqual(planAutorun({ job: 'verify', store: 'smb://server/share', image: 'pc' }), { error: 'lifeboat.store=smb://server/share: the store smb://server/share: SMB stores are not supported yet' });
  t.deepEqual(planAutorun({ job: 'clone', store: 'x' }), { error: 'lifeboat.job=clone: use backup, restore, repair-boot or verify' });
  t.deepEqual(planAutorun({ job: 'verify', store: 'x', image: 'i', after: 'halt' }), { error: 'lifeboat.after=halt: use poweroff, reboot or shell' });
});

test('the kernel consoles as devices, in order, once each (the job reports on all of them)', (t) => {
  t.deepEqual(consoleDevices('BOOT_IMAGE=/live/vmlinuz boot=live console=ttyS0,115200n8 console=tty0 console=ttyS0 quiet\n'), ['/dev/ttyS0', '/dev/tty0']);
  t.deepEqual(consoleDevices('boot=live'), []);
});

test('the ready marker names the embedded node', (t) => {
  t.is(readyMarker('v24.21.0', '0.1.0'), 'LIFEBOAT-READY node=v24.21.0 lifeboat=0.1.0');
});

test('the rescue UI opens on tty1 always, on the serial port only without a job, nowhere else', (t) => {
  t.true(opensUi('/dev/tty1', undefined));
  t.true(opensUi('/dev/tty1', 'backup'), 'after the job, the screen gets the menus');
  t.true(opensUi('/dev/ttyS0', undefined));
  t.true(opensUi('/dev/ttyS0', 'none'));
  t.false(opensUi('/dev/ttyS0', 'restore'), "the serial port keeps the job's lines and a shell");
  t.false(opensUi('/dev/pts/0', undefined), 'an ssh login gets a shell');
  t.false(opensUi('', undefined), 'no terminal');
});

test('lifeboat.rescue=1: a backup that goes on past unreadable sectors; a config\'s rescue: true writes it; other jobs refuse it', (t) => {
  t.deepEqual(autorunKernelParams({ job: 'backup', disk: '/dev/sda', store: 'LABEL=B', rescue: true }), ['lifeboat.job=backup', 'lifeboat.disk=/dev/sda', 'lifeboat.store=LABEL=B', 'lifeboat.rescue=1']);
  t.deepEqual(autorunKernelParams({ job: 'backup', disk: '/dev/sda', store: 'LABEL=B', rescue: false }), ['lifeboat.job=backup', 'lifeboat.disk=/dev/sda', 'lifeboat.store=LABEL=B']);
  const params = parseLifeboatParams('boot=live lifeboat.job=backup lifeboat.disk=/dev/sda lifeboat.store=LABEL=B lifeboat.rescue=1');
  const plan = planAutorun(params);
  t.like(plan, { job: 'backup', rescue: true });
  t.is(describeAutorun(plan as AutorunPlan), 'lifeboat backup /dev/sda LABEL=B:/<disk>-<date> --rescue');
  t.like(planAutorun({ ...params, rescue: '0' }), { rescue: false, passwordFile: undefined });
  t.deepEqual(planAutorun({ ...params, rescue: 'maybe' }), { error: 'lifeboat.rescue=maybe: use 1 or 0' });
  t.deepEqual(planAutorun({ job: 'restore', disk: '/dev/sda', store: 'LABEL=B', image: 'pc', rescue: '1' }), { error: 'lifeboat.rescue=1: only a backup reads past unreadable sectors (lifeboat.job=restore)' });
});

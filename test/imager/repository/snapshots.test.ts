// Reading Lifeboat's backups back from restic's snapshot list, restic's failures in words, its version and summaries.
import test from 'ava';
import { classifyResticFailure, parseResticVersion } from '../../../imager/repository/restic.js';
import { diskIdentity, groupSnapshots, pickImage, type ResticSnapshot } from '../../../imager/repository/snapshots.js';
import { parseForgetPlan, policyArgs } from '../../../imager/repository/forget.js';
import { parseBackupSummary } from '../../../imager/repository/store.js';

const snap = (id: string, time: string, host: string, tags: string[], paths = ['/x']): ResticSnapshot => ({ id: `${id}${'0'.repeat(56)}`, short_id: id, time, hostname: host, paths, tags });

const list = [
  snap('aaaa0001', '2026-11-01T10:00:00Z', 'file:/a.img', ['lifeboat', 'lifeboat-set=s1', 'lifeboat-part'], ['/sda1.ext4-ptcl-img.uncomp']),
  snap('aaaa0002', '2026-11-01T10:00:00Z', 'file:/a.img', ['lifeboat', 'lifeboat-set=s1', 'lifeboat-manifest', 'lifeboat-disk=sda', 'lifeboat-bytes=1000', 'lifeboat-added=900'], ['/tmp/x/image']),
  snap('bbbb0001', '2026-11-02T10:00:00Z', 'file:/a.img', ['lifeboat', 'lifeboat-set=s2', 'lifeboat-part'], ['/sda1.ext4-ptcl-img.uncomp']),
  snap('cccc0001', '2026-11-03T10:00:00Z', 'file:/a.img', ['lifeboat', 'lifeboat-set=s3', 'lifeboat-part'], ['/sda1.ext4-ptcl-img.uncomp']),
  snap('cccc0002', '2026-11-03T10:00:00Z', 'file:/a.img', ['lifeboat', 'lifeboat-set=s3', 'lifeboat-manifest', 'lifeboat-added=10'], ['/tmp/y/image']),
  snap('dddd0001', '2026-11-04T10:00:00Z', 'other', ['not-ours']),
];

test('snapshots group into backups by set, newest first; a set without its manifest snapshot is unfinished', (t) => {
  const images = groupSnapshots(list);
  t.deepEqual(images.map((i) => [i.set, i.snapshot, i.complete]), [['s3', 'cccc0002', true], ['s2', 'bbbb0001', false], ['s1', 'aaaa0002', true]]);
  const s1 = images[2]!;
  t.is(s1.members.length, 2);
  t.is(s1.disk, 'sda');
  t.is(s1.sizeBytes, 1000);
  t.is(s1.addedBytes, 900);
  t.deepEqual([...s1.streams], [['sda1.ext4-ptcl-img.uncomp', 'aaaa0001']]);
});

test('latest is the newest complete backup of the one disk; an id picks its backup; several disks need a name', (t) => {
  const images = groupSnapshots(list);
  t.like(pickImage(images, 'latest'), { snapshot: 'cccc0002' });
  t.like(pickImage(images, 'aaaa0002'), { set: 's1' });
  t.like(pickImage(images, 'bbbb0001'), { error: 'none' }, 'an unfinished backup is no image');
  const two = groupSnapshots([...list, snap('eeee0001', '2026-11-05T10:00:00Z', 'file:/b.img', ['lifeboat', 'lifeboat-set=s9', 'lifeboat-manifest'])]);
  t.like(pickImage(two, 'latest'), { error: 'several-disks' });
});

test('a disk identity prefers what follows the disk (WWN, model and serial, a stable id, the backing file)', (t) => {
  t.is(diskIdentity({ name: 'sda', wwn: '0x5000c500a1b2c3d4', serial: 'S1' }), 'wwn:0x5000c500a1b2c3d4');
  t.is(diskIdentity({ name: 'sda', model: 'Samsung SSD 870', serial: 'S5Y1' }), 'serial:Samsung_SSD_870_S5Y1');
  t.is(diskIdentity({ name: 'loop3', backingFile: '/tmp/a.img' }), 'file:/tmp/a.img');
  t.is(diskIdentity({ name: 'vda' }), 'name:vda');
});

test("restic's failures (0.14's words, 0.17+'s exit codes) become one of Lifeboat's errors", (t) => {
  t.like(classifyResticFailure('Fatal: wrong password or no key found\n', 1, 'restic:/r'), { kind: 'passphrase' });
  t.like(classifyResticFailure('', 12, 'restic:/r'), { kind: 'passphrase' });
  const locked = classifyResticFailure('unable to create lock in backend: repository is already locked by PID 10500 on vm by root (UID 0, GID 0)\nlock was created at 2026-12-02 04:15:50 (1.578512824s ago)\nstorage ID 24d797f1\n', 1, 'restic:/r');
  t.like(locked, { kind: 'refused', message: 'the restic repository restic:/r is in use by PID 10500 on vm by root (UID 0, GID 0), since 2026-12-02 04:15:50' });
  t.like(classifyResticFailure('Fatal: unable to open config file: stat /r/config: no such file or directory\nIs there a repository at the following location?\n/r\n', 1, 'restic:/r'), { kind: 'invalid-image' });
  t.like(classifyResticFailure('Fatal: unable to open config file: client.Head: Head "http://127.0.0.1:1/config": dial tcp 127.0.0.1:1: connect: connection refused\n', 1, 'restic:rest:http://127.0.0.1:1/'), { kind: 'unreachable' });
  t.is(classifyResticFailure('something new\n', 1, 'restic:/r'), undefined);
});

test('version, backup summary, forget plan and policy flags', (t) => {
  const v = parseResticVersion('restic 0.14.0 compiled with go1.19.8 on linux/amd64\n');
  t.deepEqual(v, { major: 0, minor: 14, patch: 0 });
  t.deepEqual(parseResticVersion('restic 0.18.0 compiled with go1.24.4 on linux/amd64'), { major: 0, minor: 18, patch: 0 });
  const summary = '{"message_type":"status","percent_done":1}\n{"message_type":"summary","files_new":1,"data_added":314585189,"total_bytes_processed":314572800,"snapshot_id":"5249cbfd"}\n';
  t.deepEqual(parseBackupSummary(summary), { snapshot: '5249cbfd', addedBytes: 314585189, processedBytes: 314572800 });
  t.throws(() => parseBackupSummary('{"message_type":"status"}'), { message: /no summary/ });
  t.deepEqual(parseForgetPlan('[{"host":"a","keep":[{"short_id":"k1"}],"remove":[{"short_id":"r1"},{"short_id":"r2"}]},{"host":"b","keep":[],"remove":null}]'), ['r1', 'r2']);
  t.deepEqual(policyArgs({ keepDaily: 3, keepLast: 1 }), ['--keep-last', '1', '--keep-daily', '3']);
  t.throws(() => policyArgs({}), { message: /needs a policy/ });
  t.throws(() => policyArgs({ keepDaily: 0 }), { message: /whole number/ });
});

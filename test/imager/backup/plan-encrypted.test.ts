// The backup plan says whether the image is encrypted (what a plan that must not leave a disk in plaintext asks, issue
// 13), in its words too, and counts gocryptfs's growth in the space it needs.
import test from 'ava';
import { codecs } from '../../../imager/codec/codecs.js';
import { describeBackupPlan, planBackup } from '../../../imager/backup/plan.js';
import { fakeDisk } from '../../helpers/fake-disk.js';

const MiB = 1024 * 1024;
const disk = fakeDisk({ table: { type: 'gpt', id: 'X', sectorSize: 512, partitions: [] } as never, tableType: 'gpt' }, [
  { fs: { type: 'ext4', uuid: 'u', label: 'root', version: undefined, usage: 'filesystem', ptType: undefined, raw: {} }, usedBytes: 400 * MiB, sizeBytes: 500 * MiB },
]);
const facts = { disk, imageDir: '/mnt/store/pc', imageDirExists: false, destinationDisk: undefined, freeBytes: 10_000 * MiB };
const opts = { codec: codecs.zstd, level: 3, splitBytes: undefined };

test('a plain backup plan says it is not encrypted', (t) => {
  const plan = planBackup(facts, opts);
  t.false(plan.encrypted);
  t.false(describeBackupPlan(plan).some((l) => /encrypted/.test(l)));
});

test('an encrypted plan says so, in words too, and needs room for gocryptfs\'s 32 bytes per 4 KiB block', (t) => {
  const plain = planBackup(facts, opts);
  const plan = planBackup(facts, { ...opts, encrypted: true });
  t.true(plan.encrypted);
  t.true(describeBackupPlan(plan).includes("  encrypted with gocryptfs (Clonezilla's layout): restoring it needs the passphrase"));
  t.true(plan.requiredBytes >= Math.ceil((plain.requiredBytes * 4128) / 4096));
  t.true(plan.requiredBytes < plain.requiredBytes * 1.01);
});

// The filesystem registry: partclone argv per type, the raw fallback for what it does not know, Clonezilla's names,
// and what each record says about measuring, growing, mounting and recreating.
import test from 'ava';
import { mountArgsFor } from '../../../imager/fs/mount.js';
import { canGrow, fsRecord, fsRecordByName, fsRecords, handlerForFsName, handlerForType, mountSpec, rawRecord } from '../../../imager/fs/registry.js';

test('filesystem table: partclone tools by blkid type, raw copy for the unknown', (t) => {
  t.deepEqual(handlerForType('ext4').save('/dev/sda2', '/tmp/f'), ['partclone.ext4', '-c', '-a0', '-f', '1', '-s', '/dev/sda2', '-O', '/tmp/f']);
  t.deepEqual(handlerForType('vfat').restore('/tmp/f', '/dev/sdb1'), ['partclone.restore', '-f', '1', '-s', '/tmp/f', '-o', '/dev/sdb1']);
  // Every partclone gets -f 1: it exits only on a progress tick (default 2 s), after its data is through.
  t.deepEqual(handlerForType('xfs').check!('-'), ['partclone.chkimg', '-f', '1', '-s', '-']);
  t.is(handlerForType('hfsplus').save('a', 'b')[0], 'partclone.hfsp');
  t.is(handlerForType(undefined).fsName, 'dd');
  t.is(handlerForType('crypto_LUKS').fsName, 'dd');
  t.is(handlerForType('dd').restore('a', 'b'), undefined, 'raw data goes straight to the partition');
  t.is(handlerForFsName('fat32').save('a', 'b')[0], 'partclone.fat32');
});

test('every partclone type: save with its own tool, -a0 -f 1; restore and check by partclone.restore/chkimg', (t) => {
  const tools: Record<string, string> = { ext2: 'ext2', ext3: 'ext3', ext4: 'ext4', xfs: 'xfs', btrfs: 'btrfs', ntfs: 'ntfs', vfat: 'vfat', exfat: 'exfat', f2fs: 'f2fs', hfsplus: 'hfsp', apfs: 'apfs', minix: 'minix' };
  for (const [type, tool] of Object.entries(tools)) {
    const h = handlerForType(type);
    t.is(h.fsName, type, `${type} is named ${type} in image files`);
    t.deepEqual(h.save('/dev/x', '/f'), [`partclone.${tool}`, '-c', '-a0', '-f', '1', '-s', '/dev/x', '-O', '/f'], type);
    t.deepEqual(h.restore('/f', '/dev/y'), ['partclone.restore', '-f', '1', '-s', '/f', '-o', '/dev/y'], type);
    t.deepEqual(h.check('/f'), ['partclone.chkimg', '-f', '1', '-s', '/f'], type);
  }
  // The raw copy: partclone.dd without -c/-a0 (it has no checksum mode), nothing to restore or check with partclone.
  t.deepEqual(handlerForType('dd').save('/dev/x', '/f'), ['partclone.dd', '-f', '1', '-s', '/dev/x', '-O', '/f']);
  t.is(handlerForType('dd').check('/f'), undefined);
  t.is(handlerForType('swap').fsName, 'dd', 'swap is never imaged by partclone');
});

test('unknown types fall back to the raw record; own properties only (no prototype names)', (t) => {
  for (const type of [undefined, 'crypto_LUKS', 'LVM2_member', 'linux_raid_member', 'BitLocker', 'toString', 'constructor', '__proto__']) t.is(fsRecord(type), rawRecord, String(type));
  t.is(rawRecord.type, 'dd');
  t.is(rawRecord.mount, undefined);
  t.is(rawRecord.grow, undefined);
});

test("Clonezilla's names: fat32/fat16 are vfat and hfsp is hfsplus, while the handler keeps the name found", (t) => {
  t.is(fsRecordByName('fat32')?.type, 'vfat');
  t.is(fsRecordByName('fat16')?.type, 'vfat');
  t.is(fsRecordByName('hfsp')?.type, 'hfsplus');
  t.is(fsRecordByName('ext4')?.type, 'ext4');
  t.is(fsRecordByName('reiserfs'), undefined);
  t.is(handlerForFsName('fat32').fsName, 'fat32');
  t.is(handlerForFsName('hfsp').save('a', 'b')[0], 'partclone.hfsp');
  t.is(handlerForFsName('ext4'), fsRecords.ext4.image);
  t.is(handlerForFsName('dd'), rawRecord.image);
  t.deepEqual(handlerForFsName('reiserfs').restore('/f', '/d'), ['partclone.restore', '-f', '1', '-s', '/f', '-o', '/d']);
});

test('growable: ext2/3/4, xfs, btrfs, ntfs and swap; nothing else', (t) => {
  const growable = Object.values(fsRecords).filter((r) => r.grow).map((r) => r.type).sort();
  t.deepEqual(growable, ['btrfs', 'ext2', 'ext3', 'ext4', 'ntfs', 'swap', 'xfs']);
  t.false(canGrow('vfat'));
  t.false(canGrow(undefined));
  t.false(canGrow('crypto_LUKS'));
});

test('measured offline: ext2/3/4, xfs, btrfs, ntfs, vfat; shrunk: the same; swap is recreated', (t) => {
  t.deepEqual(Object.values(fsRecords).filter((r) => r.usage).map((r) => r.type).sort(), ['btrfs', 'ext2', 'ext3', 'ext4', 'ntfs', 'vfat', 'xfs']);
  t.deepEqual(Object.values(fsRecords).filter((r) => r.shrink).map((r) => r.type).sort(), ['btrfs', 'ext2', 'ext3', 'ext4', 'ntfs', 'vfat', 'xfs']);
  t.deepEqual(Object.values(fsRecords).filter((r) => r.recreate).map((r) => r.type), ['swap']);
});

test('mountable as a store or for a search: ext2/3/4, btrfs, vfat, exfat, xfs, ntfs', (t) => {
  t.deepEqual(Object.values(fsRecords).filter((r) => r.mount).map((r) => r.type).sort(), ['btrfs', 'exfat', 'ext2', 'ext3', 'ext4', 'ntfs', 'vfat', 'xfs']);
  t.is(mountSpec('swap'), undefined);
  t.is(mountSpec('iso9660'), undefined);
});

test('mount argv: read-only mounts never replay a journal or clean a log; read-write ones keep their options', (t) => {
  const ro = (type: string | undefined) => mountArgsFor('/dev/sdb1', type, 'ro', '/m');
  t.deepEqual(ro('ext4'), ['-o', 'ro,noload', '/dev/sdb1', '/m']);
  t.deepEqual(ro('ext3'), ['-o', 'ro,noload', '/dev/sdb1', '/m']);
  t.deepEqual(ro('ext2'), ['-o', 'ro', '/dev/sdb1', '/m']);
  t.deepEqual(ro('xfs'), ['-o', 'ro,norecovery,nouuid', '/dev/sdb1', '/m']);
  t.deepEqual(ro('btrfs'), ['-o', 'ro,rescue=nologreplay', '/dev/sdb1', '/m']);
  t.deepEqual(ro('ntfs'), ['-t', 'ntfs-3g', '-o', 'ro', '/dev/sdb1', '/m']);
  t.deepEqual(ro('vfat'), ['-o', 'ro', '/dev/sdb1', '/m']);
  t.deepEqual(ro(undefined), ['-o', 'ro', '/dev/sdb1', '/m']);
  const rw = (type: string) => mountArgsFor('/dev/sdb1', type, 'rw', '/m');
  t.deepEqual(rw('ext4'), ['-o', 'rw', '/dev/sdb1', '/m']);
  t.deepEqual(rw('xfs'), ['-o', 'rw,nouuid', '/dev/sdb1', '/m']);
  t.deepEqual(rw('ntfs'), ['-t', 'ntfs-3g', '-o', 'rw', '/dev/sdb1', '/m']);
});

import test from 'ava';
import { handlerForFsName, handlerForType } from '../../../imager/image/filesystems.js';
import { names, parsePartImageName, pieceSuffix } from '../../../imager/image/layout.js';

test('Clonezilla file names', (t) => {
  t.is(names.partImage('sda1', 'ext4', 'zst'), 'sda1.ext4-ptcl-img.zst');
  t.is(names.partTable('nvme0n1'), 'nvme0n1-pt.sf');
  t.is(names.hiddenAfterMbr('sda'), 'sda-hidden-data-after-mbr');
  t.is(names.swapInfo('sda5'), 'swappt-sda5.info');
  t.deepEqual([0, 1, 25, 26, 27].map(pieceSuffix), ['aa', 'ab', 'az', 'ba', 'bb']);
});

test('partition image names parse, split or not', (t) => {
  t.deepEqual(parsePartImageName('sda1.ext4-ptcl-img.gz.aa'), { part: 'sda1', fsName: 'ext4', suffix: 'gz', piece: 'aa' });
  t.deepEqual(parsePartImageName('nvme0n1p2.ntfs-ptcl-img.zst'), { part: 'nvme0n1p2', fsName: 'ntfs', suffix: 'zst', piece: undefined });
  t.deepEqual(parsePartImageName('loop0p5.dd-ptcl-img.uncomp'), { part: 'loop0p5', fsName: 'dd', suffix: 'uncomp', piece: undefined });
  t.is(parsePartImageName('sda-pt.sf'), undefined);
  t.is(parsePartImageName('lifeboat.json'), undefined);
});

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

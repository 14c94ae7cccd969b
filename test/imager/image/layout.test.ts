import test from 'ava';
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

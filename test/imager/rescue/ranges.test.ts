import test from 'ava';
import { addSector, blocksOf, mergeRanges, onDisk, rangeText } from '../../../imager/rescue/ranges.js';

test('sectors reported one by one join into ranges; apart ones stay apart, in order', (t) => {
  let r = addSector([], 8192);
  r = addSector(r, 8704);
  r = addSector(r, 9216);
  r = addSector(r, 1024);
  t.deepEqual(r, [
    { offset: 1024, bytes: 512 },
    { offset: 8192, bytes: 1536 },
  ]);
  t.deepEqual(mergeRanges([{ offset: 0, bytes: 4096 }, { offset: 2048, bytes: 4096 }, { offset: 6144, bytes: 0 }]), [{ offset: 0, bytes: 6144 }]);
});

test('a range on the disk: partition start plus its offset, in the disk sector size; in words', (t) => {
  const d = onDisk({ offset: 4096, bytes: 8192 }, 2048, 512);
  t.deepEqual(d, { offset: 4096, bytes: 8192, firstSector: 2056, sectors: 16 });
  t.is(rangeText(d), 'sectors 2056-2071 of the disk (8192 bytes at byte 4096 of the partition)');
  // 4 KiB sectors: a 512-byte range inside one sector is that sector
  t.deepEqual(onDisk({ offset: 4608, bytes: 512 }, 256, 4096), { offset: 4608, bytes: 512, firstSector: 257, sectors: 1 });
  t.is(rangeText(onDisk({ offset: 0, bytes: 512 }, 100, 512)), 'sector 100 of the disk (512 bytes at byte 0 of the partition)');
});

test('the filesystem blocks a set of ranges touches, once each, bounded', (t) => {
  t.deepEqual(blocksOf([{ offset: 4096 * 3 + 512, bytes: 4096 }, { offset: 4096 * 4, bytes: 512 }, { offset: 4096 * 10, bytes: 8192 }], 4096, 100), { blocks: [3, 4, 10, 11], truncated: false });
  t.deepEqual(blocksOf([{ offset: 0, bytes: 4096 * 10 }], 4096, 3), { blocks: [0, 1, 2], truncated: true });
});

// XFS's features read from xfs_info (captured from xfsprogs 6.1) and turned into mkfs.xfs options for the new filesystem.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { parseXfsInfo, touchBackArgs, xfsMkfsOptions } from '../../../imager/fs/shrink.js';
import { fsRecords } from '../../../imager/fs/registry.js';

test('xfs_info: features, block and inode sizes become mkfs.xfs options', async (t) => {
  const info = parseXfsInfo(await readFile(new URL('../../fixtures/xfs/xfs_info.txt', import.meta.url), 'utf8'));
  t.like(info, { 'meta-data.isize': '512', 'meta-data.crc': '1', 'meta-data.reflink': '1', 'data.bsize': '4096', 'naming.ftype': '1', 'log.bsize': '4096' });
  t.deepEqual(xfsMkfsOptions(info), ['-m', 'crc=1,finobt=1,rmapbt=0,reflink=1,bigtime=1,inobtcount=1', '-i', 'size=512,sparse=1,nrext64=0', '-n', 'ftype=1', '-b', 'size=4096']);
});

test('the registry: ext2/3/4, btrfs and NTFS shrink by resizing a staging copy, XFS and FAT by a new filesystem and a file copy; swap has no shrink way', (t) => {
  for (const fs of ['ext2', 'ext3', 'ext4', 'btrfs', 'ntfs'] as const) t.is(fsRecords[fs].shrink?.way, 'resize', fs);
  t.is(fsRecords.xfs.shrink?.way, 'copy');
  t.is(fsRecords.xfs.shrink?.floorBytes, 300 * 1024 * 1024);
  t.is(fsRecords.vfat.shrink?.way, 'copy');
  t.is(fsRecords.swap.shrink, undefined);
});

test('directory times put back: only the changed ones, grouped by time, with nanoseconds', (t) => {
  const before = new Map<string, bigint>([
    ['.', 1_600_000_000_123_456_789n],
    ['a', 1_600_000_000_000_000_001n],
    ['a/b', 1_600_000_000_000_000_001n],
    ['c', 1_500_000_000_000_000_000n],
  ]);
  const after = new Map<string, bigint>([
    ['.', 1_600_000_000_123_456_789n],
    ['a', 1_700_000_000_000_000_000n],
    ['a/b', 1_700_000_000_000_000_000n],
    ['c', 1_700_000_000_000_000_000n],
  ]);
  t.deepEqual(touchBackArgs('/m', before, after), [
    ['-h', '-m', '-d', '@1600000000.000000001', '--', '/m/a', '/m/a/b'],
    ['-h', '-m', '-d', '@1500000000.000000000', '--', '/m/c'],
  ]);
});

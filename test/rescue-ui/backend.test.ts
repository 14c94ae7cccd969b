// The real backend's pure parts and its image search on a real directory tree: which partitions are stores, how
// they are mounted, where images are found (Lifeboat's and Clonezilla's, one folder down at most), and lifeboat ui
// refusing to start without a terminal.
import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mountArgs } from '../../imager/store/partition.js';
import { scanForImages } from '../../imager/store/scan.js';
import { storesOf } from '../../rescue-ui/backend/stores.js';
import { lifeboat } from '../helpers/cli.js';
import { scratch } from '../helpers/loop.js';
import { fakeDisk } from './fake-backend.js';

test('stores: partitions with a filesystem a store can be, off the live medium, with their mount state', (t) => {
  const disks = [
    fakeDisk('/dev/sda', 1000, [{ n: 1, fs: 'ext4', label: 'root', mib: 900, usedMib: 100, mount: '/' }, { n: 2, fs: 'swap', mib: 50 }, { n: 3, mib: 40 }]),
    fakeDisk('/dev/sdb', 2000, [{ n: 1, fs: 'vfat', label: 'STICK', mib: 2000 }]),
    fakeDisk('/dev/sdc', 300, [{ n: 1, fs: 'iso9660', mib: 300 }, { n: 2, fs: 'vfat', mib: 5 }], { liveMedium: true }),
  ];
  t.deepEqual(
    storesOf(disks).map((s) => [s.device, s.disk, s.fsType, s.label, s.mountedAt]),
    [
      ['/dev/sda1', '/dev/sda', 'ext4', 'root', '/'],
      ['/dev/sdb1', '/dev/sdb', 'vfat', 'STICK', undefined],
    ],
  );
});

test('mount argv: read-only (with no journal replay) or read-write, nouuid for XFS copies, ntfs-3g for NTFS', (t) => {
  t.deepEqual(mountArgs('/dev/sdb1', 'ext4', 'read', '/run/lifeboat/stores/sdb1'), ['-o', 'ro,noload', '/dev/sdb1', '/run/lifeboat/stores/sdb1']);
  t.deepEqual(mountArgs('/dev/sdb1', 'xfs', 'read', '/m'), ['-o', 'ro,norecovery,nouuid', '/dev/sdb1', '/m']);
  t.deepEqual(mountArgs('/dev/sdb1', 'xfs', 'write', '/m'), ['-o', 'rw,nouuid', '/dev/sdb1', '/m']);
  t.deepEqual(mountArgs('/dev/sdb1', 'ntfs', 'read', '/m'), ['-t', 'ntfs-3g', '-o', 'ro', '/dev/sdb1', '/m']);
});

test('images are found at the top of a store and one folder down; partial, hidden and deeper ones are not', async (t) => {
  const { dir } = await scratch(t);
  const image = async (rel: string, files: string[]) => {
    await mkdir(path.join(dir, rel), { recursive: true });
    for (const f of files) await writeFile(path.join(dir, rel, f), '');
  };
  await image('pc-2026', ['lifeboat.json', 'disk', 'parts']);
  await image('images/laptop', ['lifeboat.json']);
  await image('clonezilla/2025-01-01-img', ['disk', 'parts', 'sda-pt.sf']);
  await image('.pc-2027.lifeboat-partial', ['lifeboat.json']);
  await image('a/b/too-deep', ['lifeboat.json']);
  await image('photos', ['cat.jpg']);
  await image('only-disk', ['disk']);
  t.deepEqual(await scanForImages(dir), ['clonezilla/2025-01-01-img', 'images/laptop', 'pc-2026']);
  t.deepEqual(await scanForImages(path.join(dir, 'nowhere')), []);
});

test('lifeboat ui without a terminal says it needs one (exit code 2) instead of crashing', async (t) => {
  const r = await lifeboat(['ui']);
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /lifeboat: lifeboat ui needs a terminal/);
});

test('lifeboat ui --snapshot draws the main menu without a terminal (the live build checks the bundle with it)', async (t) => {
  const r = await lifeboat(['ui', '--snapshot'], { env: { LIFEBOAT_ASCII: '1' } });
  t.is(r.exitCode, 0);
  t.regex(r.stdout, /\| > Back up a disk +\|/);
  t.regex(r.stdout, /Power off/);
});

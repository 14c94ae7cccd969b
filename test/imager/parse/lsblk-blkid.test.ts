import test from 'ava';
import { readFile } from 'node:fs/promises';
import { parseBlkidExport } from '../../../imager/parse/blkid.js';
import { parseLsblkJson } from '../../../imager/parse/lsblk.js';

const fixture = (f: string) => readFile(new URL(`../../fixtures/${f}`, import.meta.url), 'utf8');

test('lsblk --json: loop disks with partitions, sizes in bytes, sector sizes', async (t) => {
  const devices = parseLsblkJson(await fixture('lsblk/loops.json'));
  t.is(devices.length, 2);
  const d = devices[0]!;
  t.like(d, { name: 'loop2', type: 'loop', size: 838860800, logicalSectorSize: 512, physicalSectorSize: 512, removable: false, model: undefined, majMin: '7:2' });
  t.is(d.children.length, 6);
  t.like(d.children[0], { name: 'loop2p1', type: 'part', size: 67108864, parent: 'loop2' });
  t.deepEqual(d.mountpoints, []);
});

test('lsblk --json of a whole host', async (t) => {
  const devices = parseLsblkJson(await fixture('lsblk/host.json'));
  const vda = devices.find((d) => d.name === 'vda')!;
  t.is(vda.type, 'disk');
  t.deepEqual(vda.mountpoints, ['/']);
});

test('blkid export: filesystems, swap, an extended partition, nothing', async (t) => {
  const fat = parseBlkidExport(await fixture('blkid/gpt-p1.txt'));
  t.like(fat, { type: 'vfat', label: 'LBESP', uuid: '1234-ABCD', version: 'FAT32' });
  t.is(fat.raw['PART_ENTRY_NAME'], 'EFI system', 'backslash escapes removed');
  t.like(parseBlkidExport(await fixture('blkid/gpt-p5.txt')), { type: 'swap', label: 'lbswap', uuid: 'cccccccc-1111-4222-8333-444444444444' });
  t.like(parseBlkidExport(await fixture('blkid/mbr-p2.txt')), { type: undefined, ptType: 'dos' });
  t.like(parseBlkidExport(await fixture('blkid/gpt-p6.txt')), { type: undefined, label: undefined });
});

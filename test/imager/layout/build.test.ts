// The layout tree built from lsblk, sfdisk, blkid, pvs/lvs and mdadm output captured from real loop partitions.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { buildLayout, contents, layoutFromTable } from '../../../imager/layout/build.js';
import { parseBlkidExport, type BlkidInfo } from '../../../imager/parse/blkid.js';
import { parseLsblkJson, type LsblkDevice } from '../../../imager/parse/lsblk.js';
import { parseLvs, parsePvs } from '../../../imager/parse/lvm.js';
import { parseMdadmExamine } from '../../../imager/parse/mdadm.js';
import { parseSfdiskDump, parseSfdiskJson } from '../../../imager/parse/sfdisk.js';

const fixture = (f: string) => readFile(new URL(`../../fixtures/${f}`, import.meta.url), 'utf8');

async function facts() {
  const disk = parseLsblkJson(await fixture('layout/lsblk.json'))[0]!;
  const table = parseSfdiskJson(await fixture('layout/sfdisk.json'));
  const blkid = new Map<string, BlkidInfo>();
  for (let n = 1; n <= 6; n++) blkid.set(`/dev/loop0p${n}`, parseBlkidExport(await fixture(`layout/blkid-p${n}.txt`)));
  return {
    disk,
    table,
    partitionPath: (n: number) => `/dev/loop0p${n}`,
    blkid,
    pvs: parsePvs(await fixture('layout/pvs.txt')),
    lvs: parseLvs(await fixture('layout/lvs.txt')),
    md: new Map([['/dev/loop0p4', parseMdadmExamine(await fixture('layout/mdadm-p4.txt'))]]),
  };
}

test('each partition gets its content kind: LVM PV, LUKS2, LUKS1, md member, ext4, BitLocker', async (t) => {
  const layout = buildLayout(await facts());
  t.is(layout.table?.type, 'gpt');
  const parts = layout.table!.partitions;
  t.deepEqual(parts.map((p) => p.content.kind), ['lvm-pv', 'luks', 'luks', 'md-member', 'filesystem', 'bitlocker']);
  t.deepEqual(parts[0]!.content, {
    kind: 'lvm-pv',
    pvUuid: 'inLkbA-59F1-lnkv-0jUA-xfzW-VeDA-NTz7DG',
    vgName: 'lbvg',
    vgUuid: 'xmK6g3-c3N3-dhxN-P3P3-BhVl-Drhi-Q9Te3V',
    lvs: [{ name: 'lv1', uuid: 'AAtaaN-ndYa-0JXz-Sd0M-7fmz-cUly-HuH6vn', sizeBytes: 8388608 }],
    children: [],
  });
  t.deepEqual(parts[1]!.content, { kind: 'luks', version: 2, uuid: 'c3f2a775-4fb3-4c6b-89a4-10f66f7e8910', children: [] });
  t.like(parts[2]!.content, { kind: 'luks', version: 1 });
  t.deepEqual(parts[3]!.content, { kind: 'md-member', arrayUuid: '3c1e6f0a-5b7d-4e2a-9f10-2b3c4d5e6f70', memberUuid: 'aa1e6f0a-5b7d-4e2a-9f10-2b3c4d5e6f71', name: 'lifeboat:', metadata: '1.2', level: 'raid1', children: [] });
  t.deepEqual(parts[4]!.content, { kind: 'filesystem', fsType: 'ext4', uuid: '5a5a5a5a-1111-4222-8333-444444444444', label: 'lbdata', version: '1.0' });
  t.deepEqual(parts[5]!.content, { kind: 'bitlocker', version: '2' });
  t.like(parts[0], { number: 1, start: 2048, size: 61440, type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4' });
});

test('without LVM or mdadm output, a PV and an md member still say what they are', async (t) => {
  const f = await facts();
  const layout = buildLayout({ ...f, pvs: [], lvs: [], md: new Map() });
  t.deepEqual(layout.table!.partitions[0]!.content, { kind: 'lvm-pv', pvUuid: 'inLkbA-59F1-lnkv-0jUA-xfzW-VeDA-NTz7DG', lvs: [], children: [] });
  t.false('level' in layout.table!.partitions[3]!.content);
});

/** The fixture disk with nodes on top, as lsblk shows them when LUKS is opened and an LV is active. */
function withNodes(disk: LsblkDevice): LsblkDevice {
  const node = (name: string, type: string, size: number, children: LsblkDevice[] = []): LsblkDevice => ({ ...disk, name, path: `/dev/mapper/${name}`, type, size, children });
  const children = disk.children.map((c) => {
    if (c.name === 'loop0p1') return { ...c, children: [node('lbvg-lv1', 'lvm', 8388608)] };
    if (c.name === 'loop0p2') return { ...c, children: [node('cryptdata', 'crypt', 14680064, [node('vg--inner-root', 'lvm', 4194304)])] };
    return c;
  });
  return { ...disk, children };
}

test('nested: an opened LUKS holds a PV whose LV holds a filesystem; an active LV sits under its PV', async (t) => {
  const f = await facts();
  const blkid = new Map(f.blkid);
  blkid.set('/dev/mapper/cryptdata', { ...parseBlkidExport(await fixture('layout/blkid-p1.txt')), raw: {} });
  blkid.set('/dev/mapper/vg--inner-root', parseBlkidExport(await fixture('layout/blkid-p5.txt')));
  blkid.set('/dev/mapper/lbvg-lv1', parseBlkidExport(await fixture('layout/blkid-p5.txt')));
  const pvs = [...f.pvs, { device: '/dev/mapper/cryptdata', pvUuid: 'x', vgName: 'vg-inner', vgUuid: 'y' }];
  const lvs = [...f.lvs, { name: 'root', uuid: 'r', sizeBytes: 4194304, vgName: 'vg-inner', path: '/dev/vg-inner/root' }];
  const layout = buildLayout({ ...f, disk: withNodes(f.disk), blkid, pvs, lvs });
  const [pv, luks] = layout.table!.partitions;
  t.like(pv!.content, { kind: 'lvm-pv', lvs: [{ name: 'lv1', node: { device: '/dev/mapper/lbvg-lv1', kind: 'lvm', content: { kind: 'filesystem', fsType: 'ext4' } } }], children: [] });
  t.like(luks!.content, {
    kind: 'luks',
    children: [{ device: '/dev/mapper/cryptdata', kind: 'crypt', content: { kind: 'lvm-pv', vgName: 'vg-inner', lvs: [{ name: 'root', node: { content: { kind: 'filesystem', fsType: 'ext4', label: 'lbdata' } } }] } }],
  });
  t.deepEqual(contents(layout).map((c) => c.kind), ['lvm-pv', 'filesystem', 'luks', 'lvm-pv', 'filesystem', 'luks', 'md-member', 'filesystem', 'bitlocker']);
});

test('a disk without a table: its own content; a device blkid did not probe is unknown', async (t) => {
  const f = await facts();
  const whole = buildLayout({ ...f, table: undefined, blkid: new Map([['/dev/loop0', f.blkid.get('/dev/loop0p2')!]]) });
  t.is(whole.table, undefined);
  t.like(whole.content, { kind: 'luks', version: 2 });
  t.deepEqual(buildLayout({ ...f, blkid: new Map() }).table!.partitions[0]!.content, { kind: 'unknown' });
});

test('an image without a recorded tree: its table from the sfdisk dump, MBR extended partitions marked', async (t) => {
  const layout = layoutFromTable(parseSfdiskDump(await fixture('sfdisk/mbr.dump')), 1 << 30);
  t.deepEqual(layout.table!.partitions.map((p) => [p.number, p.content.kind]), [[1, 'unknown'], [2, 'extended'], [5, 'unknown'], [6, 'unknown'], [7, 'unknown']]);
  t.like(layout.table, { type: 'dos', id: '0x4c494645', sectorSize: 512 });
  t.true(layout.table!.partitions[0]!.bootable);
});

test('blkid of an md member, a BitLocker volume, LUKS1; pvs/lvs records; mdadm --examine', async (t) => {
  t.like(parseBlkidExport(await fixture('layout/blkid-p4.txt')), { type: 'linux_raid_member', version: '1.2', usage: 'raid' });
  t.like(parseBlkidExport(await fixture('layout/blkid-p6.txt')), { type: 'BitLocker', version: '2', usage: 'crypto' });
  t.like(parseBlkidExport(await fixture('layout/blkid-p3.txt')), { type: 'crypto_LUKS', version: '1', uuid: '84138fb1-3026-418c-b9ee-13dcac6819c1' });
  t.deepEqual(parsePvs(await fixture('layout/pvs.txt')), [{ device: '/dev/loop0p1', pvUuid: 'inLkbA-59F1-lnkv-0jUA-xfzW-VeDA-NTz7DG', vgName: 'lbvg', vgUuid: 'xmK6g3-c3N3-dhxN-P3P3-BhVl-Drhi-Q9Te3V' }]);
  t.deepEqual(parseLvs(await fixture('layout/lvs.txt')), [{ name: 'lv1', uuid: 'AAtaaN-ndYa-0JXz-Sd0M-7fmz-cUly-HuH6vn', sizeBytes: 8388608, vgName: 'lbvg', path: '/dev/lbvg/lv1' }]);
  t.deepEqual(parseMdadmExamine(await fixture('layout/mdadm-p4.txt')), { level: 'raid1', devices: 2, name: 'lifeboat:', uuid: '3c1e6f0a:5b7d4e2a:9f102b3c:4d5e6f70' });
});

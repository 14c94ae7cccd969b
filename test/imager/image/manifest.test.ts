// lifeboat.json: the schema compiles and accepts version 1 (no tree) and version 2 (with the layout tree).
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildLayout } from '../../../imager/layout/build.js';
import { readManifest, type Manifest } from '../../../imager/image/manifest.js';
import { parseBlkidExport } from '../../../imager/parse/blkid.js';
import { parseLsblkJson } from '../../../imager/parse/lsblk.js';
import { parseSfdiskJson } from '../../../imager/parse/sfdisk.js';

const fixture = (f: string) => readFile(new URL(`../../fixtures/${f}`, import.meta.url), 'utf8');

async function roundTrip(t: { teardown(fn: () => Promise<void>): void }, m: unknown): Promise<Manifest | undefined> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-manifest-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'lifeboat.json'), JSON.stringify(m));
  return readManifest(dir);
}

const base = {
  format: 'lifeboat-image', state: 'complete', createdAt: '2026-12-01T00:00:00Z', lifeboatVersion: '0.1.0',
  source: { device: '/dev/loop0', name: 'loop0', sizeBytes: 209715200, logicalSectorSize: 512, physicalSectorSize: 512 },
  table: { type: 'gpt' }, compression: { codec: 'zstd' }, partitions: [], bootRecords: {}, files: {}, tools: {}, timings: {},
};

test('version 1 without a tree is read', async (t) => {
  t.is((await roundTrip(t, { ...base, version: 1 }))?.version, 1);
});

test('version 2 with the tree of a real disk (PV, LUKS2, LUKS1, md, ext4, BitLocker) is read back unchanged', async (t) => {
  const blkid = new Map();
  for (let n = 1; n <= 6; n++) blkid.set(`/dev/loop0p${n}`, parseBlkidExport(await fixture(`layout/blkid-p${n}.txt`)));
  const layout = buildLayout({ disk: parseLsblkJson(await fixture('layout/lsblk.json'))[0]!, table: parseSfdiskJson(await fixture('layout/sfdisk.json')), partitionPath: (n) => `/dev/loop0p${n}`, blkid });
  const m = await roundTrip(t, { ...base, version: 2, layout });
  t.deepEqual(m?.layout, JSON.parse(JSON.stringify(layout)));
});

test('a tree with an unknown content kind is refused', async (t) => {
  const layout = { sizeBytes: 1, logicalSectorSize: 512, content: { kind: 'zfs' } };
  await t.throwsAsync(roundTrip(t, { ...base, version: 2, layout }), { message: /does not match the manifest schema/ });
});

const rescued = {
  ...base,
  version: 2,
  state: 'complete-with-unreadable-sectors',
  rescue: { policy: 'read errors: go on past them' },
  partitions: [
    {
      number: 1, name: 'loop0p1', start: 2048, size: 98304, type: 'L', action: 'partclone',
      unreadable: { ranges: [{ offset: 4096, bytes: 8192, firstSector: 2056, sectors: 16 }], bytes: 8192, filesKnown: true, files: ['/victim.bin'] },
    },
  ],
};

test('an image rescued past unreadable sectors: its state, policy and each partition\'s ranges and files are read back', async (t) => {
  const m = await roundTrip(t, rescued);
  t.is(m?.state, 'complete-with-unreadable-sectors');
  t.deepEqual(m?.partitions[0]?.unreadable?.files, ['/victim.bin']);
});

test('an unreadable record without ranges, or a range without its disk sectors, is refused', async (t) => {
  const p = rescued.partitions[0]!;
  await t.throwsAsync(roundTrip(t, { ...rescued, partitions: [{ ...p, unreadable: { ...p.unreadable, ranges: [] } }] }), { message: /does not match the manifest schema/ });
  await t.throwsAsync(roundTrip(t, { ...rescued, partitions: [{ ...p, unreadable: { ...p.unreadable, ranges: [{ offset: 0, bytes: 512 }] } }] }), { message: /does not match the manifest schema/ });
});

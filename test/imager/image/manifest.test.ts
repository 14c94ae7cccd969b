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

// exportedManifest: a repository backup's manifest becomes a folder image's: each stream's entry replaced by the files
// it was compressed into (digests, names, sizes), the compression set, everything else kept; it passes the schema.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { codecs } from '../../../imager/codec/codecs.js';
import { exportedBase, exportedManifest, volumesOf } from '../../../imager/export/manifest.js';
import { readManifest, type Manifest } from '../../../imager/image/manifest.js';

const d = (bytes: number, c: string) => ({ bytes, sha256: c.repeat(64) });

const backup: Manifest = {
  format: 'lifeboat-image', version: 2, state: 'complete', createdAt: '2026-12-01T00:00:00Z', lifeboatVersion: '0.1.0',
  source: { device: '/dev/loop0', name: 'loop0', sizeBytes: 209715200, logicalSectorSize: 512, physicalSectorSize: 512 },
  table: { type: 'gpt' }, compression: { codec: 'none' },
  partitions: [
    { number: 1, name: 'loop0p1', start: 2048, size: 2048, type: 'L', action: 'partclone', fsName: 'ext4', files: ['loop0p1.ext4-ptcl-img.uncomp'], imageBytes: 9000 },
    { number: 2, name: 'loop0p2', start: 4096, size: 2048, type: 'S', action: 'swap' },
    { number: 3, name: 'loop0p3', start: 6144, size: 2048, type: 'L', action: 'lvm-pv' },
  ],
  lvm: [{ name: 'vg0', uuid: 'u', conf: 'lvm_vg0.conf', pvs: [{ partition: 3, device: '/dev/loop0p3', uuid: 'p' }], lvs: [{ name: 'root', path: '/dev/vg0/root', sizeBytes: 1, action: 'raw', fsName: 'dd', files: ['vg0-root.dd-ptcl-img.uncomp'], imageBytes: 500 }] }],
  bootRecords: { mbr: 'loop0-mbr' },
  files: { 'loop0p1.ext4-ptcl-img.uncomp': d(9000, 'a'), 'vg0-root.dd-ptcl-img.uncomp': d(500, 'b'), 'loop0-mbr': d(512, 'c'), disk: d(6, 'e') },
  tools: { partclone: '0.3.23' }, timings: { totalSeconds: 3 },
};

test('the streams are the saved partitions and LVs; each gets the codec\'s name in Clonezilla\'s layout', (t) => {
  t.deepEqual(volumesOf(backup).map((v) => v.name), ['loop0p1', 'vg0/root']);
  t.is(exportedBase('loop0p1.ext4-ptcl-img.uncomp', codecs.zstd), 'loop0p1.ext4-ptcl-img.zst');
  t.is(exportedBase('vg0-root.dd-ptcl-img.uncomp', codecs.gzip), 'vg0-root.dd-ptcl-img.gz');
  t.throws(() => exportedBase('loop0-mbr', codecs.zstd));
});

test('in progress: no stream files yet; complete: every piece with its digest, the rest as the backup had it', async (t) => {
  const partial = exportedManifest(backup, { codec: codecs.zstd, level: 3, splitBytes: undefined, volumes: [], state: 'in-progress' });
  t.is(partial.state, 'in-progress');
  t.deepEqual(Object.keys(partial.files).sort(), ['disk', 'loop0-mbr']);
  t.deepEqual(partial.partitions[0]!.files, []);
  const done = exportedManifest(backup, {
    codec: codecs.zstd,
    level: 3,
    splitBytes: 4194304,
    state: 'complete',
    seconds: 1.5,
    volumes: [
      { stream: 'loop0p1.ext4-ptcl-img.uncomp', digests: new Map([['loop0p1.ext4-ptcl-img.zst.ab', d(100, '2')], ['loop0p1.ext4-ptcl-img.zst.aa', d(4000, '1')]]) },
      { stream: 'vg0-root.dd-ptcl-img.uncomp', digests: new Map([['vg0-root.dd-ptcl-img.zst.aa', d(40, '3')]]) },
    ],
  });
  t.deepEqual(done.compression, { codec: 'zstd', level: 3, splitBytes: 4194304 });
  t.deepEqual(done.partitions[0]!.files, ['loop0p1.ext4-ptcl-img.zst.aa', 'loop0p1.ext4-ptcl-img.zst.ab']);
  t.is(done.partitions[0]!.imageBytes, 4100);
  t.deepEqual(done.lvm![0]!.lvs[0]!.files, ['vg0-root.dd-ptcl-img.zst.aa']);
  t.deepEqual(Object.keys(done.files).sort(), ['disk', 'loop0-mbr', 'loop0p1.ext4-ptcl-img.zst.aa', 'loop0p1.ext4-ptcl-img.zst.ab', 'vg0-root.dd-ptcl-img.zst.aa']);
  t.deepEqual(done.timings, { totalSeconds: 3, exportSeconds: 1.5 });
  t.deepEqual(done.source, backup.source);
  t.is(backup.files['loop0p1.ext4-ptcl-img.uncomp']?.bytes, 9000, 'the backup\'s manifest is not changed');
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-export-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'lifeboat.json'), JSON.stringify(done));
  t.deepEqual(await readManifest(dir), JSON.parse(JSON.stringify(done)), 'valid by the schema');
});

// lifeboat disks shows what each partition holds (LVM PV with its VG and LV, LUKS2, LUKS1, md member, BitLocker),
// probed without device-mapper or md; a backup records the tree in a version 2 manifest; version 1 images still work.
import test from 'ava';
import { execa } from 'execa';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { removeLvm, writeBitLocker, writeKeyFile, writeLuks, writeLvm, writeMdMember } from '../helpers/containers.js';
import { attach, makeSparse, partition, tempDir, type LoopDisk } from '../helpers/loop.js';

let dir: string;
let disk: LoopDisk;
const vg = `lbtest${process.pid}`;

test.before(async () => {
  dir = await tempDir();
  const file = path.join(dir, 'src.img');
  await makeSparse(file, 128);
  await partition(file, 'label: gpt\n' + 'size=16M\n'.repeat(6));
  disk = await attach(file);
  const key = path.join(dir, 'key');
  await writeKeyFile(key);
  await writeLvm(disk.part(1), vg);
  await writeLuks(disk.part(2), 'luks2', key);
  await writeLuks(disk.part(3), 'luks1', key);
  await writeMdMember(disk.part(4), '3c1e6f0a-5b7d-4e2a-9f10-2b3c4d5e6f70', 'aa1e6f0a-5b7d-4e2a-9f10-2b3c4d5e6f71', 'lifeboat:0');
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'lbdata', disk.part(5)]);
  await writeBitLocker(disk.part(6));
});

test.after.always(async () => {
  await removeLvm(vg);
  await disk?.detach();
  await rm(dir, { recursive: true, force: true });
});

interface JsonContent {
  kind: string;
  [k: string]: unknown;
}

async function layoutOf(): Promise<{ table: { partitions: Array<{ number: number; content: JsonContent }> } }> {
  const r = await lifeboat(['disks', '--json']);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout).disks.find((d: { device: string }) => d.device === disk.device).layout;
}

test.serial('disks --json: each partition content kind, with the VG and its LV, LUKS versions, the md array', async (t) => {
  const parts = (await layoutOf()).table.partitions;
  t.deepEqual(parts.map((p) => p.content.kind), ['lvm-pv', 'luks', 'luks', 'md-member', 'filesystem', 'bitlocker']);
  t.like(parts[0]!.content, { kind: 'lvm-pv', vgName: vg, lvs: [{ name: 'lv1', sizeBytes: 8 * 1024 * 1024 }] });
  t.like(parts[1]!.content, { kind: 'luks', version: 2 });
  t.like(parts[2]!.content, { kind: 'luks', version: 1 });
  t.like(parts[3]!.content, { kind: 'md-member', arrayUuid: '3c1e6f0a-5b7d-4e2a-9f10-2b3c4d5e6f70', metadata: '1.2', level: 'raid1' });
  t.like(parts[4]!.content, { kind: 'filesystem', fsType: 'ext4', label: 'lbdata' });
  t.like(parts[5]!.content, { kind: 'bitlocker', version: '2' });
  const human = (await lifeboat(['disks'])).stdout;
  t.regex(human, new RegExp(`LVM PV of VG ${vg}`));
  t.regex(human, /└ LV lv1\s+8(\.0)? MiB\s+\(not active\)/);
  t.regex(human, /LUKS2 /);
  t.regex(human, /md member \(raid1\) of array 3c1e6f0a/);
  t.regex(human, /BitLocker v2/);
});

test.serial('a backup writes manifest version 2 with the tree; as a version 1 image it still verifies and restores', async (t) => {
  const image = path.join(dir, 'img');
  const b = await lifeboat(['backup', disk.device, image, '--yes']);
  t.is(b.exitCode, 0, b.stderr);
  const manifestPath = path.join(image, 'lifeboat.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  t.is(manifest.version, 2);
  t.deepEqual(manifest.layout.table.partitions.map((p: { content: JsonContent }) => p.content.kind), ['lvm-pv', 'luks', 'luks', 'md-member', 'filesystem', 'bitlocker']);
  const v2 = await lifeboat(['verify', image]);
  t.is(v2.exitCode, 0, v2.stderr);
  // The same image as an older Lifeboat wrote it: version 1, no tree.
  delete manifest.layout;
  manifest.version = 1;
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const v = await lifeboat(['verify', image]);
  t.is(v.exitCode, 0, v.stderr);
  const target = path.join(dir, 'dst.img');
  await makeSparse(target, 128);
  const dst = await attach(target);
  t.teardown(() => dst.detach());
  const r = await lifeboat(['restore', image, dst.device, '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  const src = await execa('sfdisk', ['--dump', disk.device]);
  const got = await execa('sfdisk', ['--dump', dst.device]);
  const strip = (s: string, dev: string) => s.split('\n').filter((l) => !/^(device|last-lba):/.test(l)).join('\n').replaceAll(dev, 'DISK');
  t.is(strip(got.stdout, dst.device), strip(src.stdout, disk.device), 'table, disk GUID and partition GUIDs restored');
  const blkid = await execa('blkid', ['-p', '-o', 'export', dst.part(2)], { reject: false });
  t.regex(blkid.stdout, /TYPE=crypto_LUKS/);
});

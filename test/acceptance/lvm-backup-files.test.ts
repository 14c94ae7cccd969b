// Acceptance (host side): the LVM half of executeBackup writes a whole image that Lifeboat opens, verifies and plans
// a restore of. This host has no device-mapper, so no LV can be active: the VG's metadata is real (a loop disk's PV,
// never activated), and the LV "root" is read from a stand-in, an ext4 partition of the same disk given as its
// active node, as probeVgs would report it after activation. The real round trip through device-mapper is
// test/harness/lvm-lab.test.ts (guest lab). Needs root, loop devices and lvm2.
import test from 'ava';
import { execa } from 'execa';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../../core/runner/run.js';
import { executeBackup } from '../../imager/backup/execute.js';
import { planBackup } from '../../imager/backup/plan.js';
import { codecs } from '../../imager/codec/codecs.js';
import { probeBlkid, probeDisk } from '../../imager/disks/probe.js';
import { openImage } from '../../imager/image/open.js';
import { allPvs, probeVgs } from '../../imager/lvm/probe.js';
import { planRestore } from '../../imager/restore/plan.js';
import { verifyImage } from '../../imager/verify/verify.js';
import { attach, makeSparse, partition, tempDir, type LoopDisk } from '../helpers/loop.js';

const vg = `lbbf${process.pid}`;
const lvmConfig = ['--config', 'activation{udev_sync=0} backup{backup=0 archive=0}'];
const lvmEnv = { LVM_SUPPRESS_FD_WARNINGS: '1' };
let dir = '';
const disks: LoopDisk[] = [];

test.before(async () => {
  dir = await tempDir('lifeboat-lvm-bf-');
  const file = path.join(dir, 'src.img');
  await makeSparse(file, 128);
  await partition(file, 'label: gpt\nsize=16M\nsize=48M, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\nsize=32M\n');
  const d = await attach(file);
  disks.push(d);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'boot', d.part(1)]);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'root', d.part(3)]);
  await execa('pvcreate', [...lvmConfig, d.part(2)], { env: lvmEnv });
  await execa('vgcreate', [...lvmConfig, vg, d.part(2)], { env: lvmEnv });
  for (const [name, size] of [['root', '32M'], ['swap', '8M']]) await execa('lvcreate', ['--driverloaded', 'n', ...lvmConfig, '-an', '-Zn', '-L', size!, '-n', name!, vg], { env: lvmEnv });
  const blank = path.join(dir, 'dst.img');
  await makeSparse(blank, 128);
  disks.push(await attach(blank));
});

test.after.always(async () => {
  await execa('vgremove', ['--driverloaded', 'n', ...lvmConfig, '-ff', vg], { env: lvmEnv, reject: false });
  for (const d of disks) await d.detach();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test.serial('backup writes the LVM files and one partclone image per LV; the image opens, verifies, and its restore plan has the LVM steps', async (t) => {
  const runner = new Runner();
  const [src, dst] = disks as [LoopDisk, LoopDisk];
  // Partition 3 stands in for the LV root's active node; the source's table still images it as a partition.
  const disk = await probeDisk(runner, src.device);
  const vgs = (await probeVgs(runner, disk)).filter((v) => v.name === vg);
  const rootFs = await probeBlkid(runner, src.part(3));
  vgs[0]!.lvs = vgs[0]!.lvs.map((l) =>
    l.name === 'root'
      ? { ...l, active: true, dmPath: src.part(3), fs: rootFs, usedBytes: 2 * 1024 * 1024 }
      : { ...l, active: true, fs: { type: 'swap', uuid: '0d2f4c1e-9a52-4bde-8a1b-7b2c3d4e5f60', label: 'swap0', version: '1', usage: 'other', ptType: undefined, raw: {} } },
  );
  const imageDir = path.join(dir, 'img');
  const plan = planBackup({ disk, imageDir, imageDirExists: false, destinationDisk: undefined, freeBytes: 10 * 1024 ** 3, lvm: vgs }, { codec: codecs.zstd, level: undefined, splitBytes: undefined });
  t.deepEqual(plan.refusals, []);
  t.deepEqual(plan.partitions.map((p) => p.action), ['partclone', 'lvm-pv', 'partclone']);
  await executeBackup(plan, runner);

  const files = await readdir(imageDir);
  const pvName = path.basename(src.part(2));
  for (const f of ['lvm_vg_dev.list', 'lvm_logv.list', `lvm_${vg}.conf`, `${vg}-root.ext4-ptcl-img.zst`, `swappt-${vg}-swap.info`]) t.true(files.includes(f), f);
  t.false(files.some((f) => f.startsWith(`${pvName}.`)), 'no image file of the PV partition');
  t.is(await readFile(path.join(imageDir, 'parts'), 'utf8'), `${src.name}p1 ${pvName} ${src.name}p3\n`);
  const devFs = await readFile(path.join(imageDir, 'dev-fs.list'), 'utf8');
  t.regex(devFs, new RegExp(`^/dev/${vg}/root ext4 32M$`, 'm'));
  t.regex(devFs, new RegExp(`^/dev/${vg}/swap swap 8M$`, 'm'));
  const manifest = JSON.parse(await readFile(path.join(imageDir, 'lifeboat.json'), 'utf8'));
  for (const f of files.filter((f) => f !== 'lifeboat.json')) t.truthy(manifest.files[f], `manifest covers ${f}`);
  t.like(manifest.lvm[0].lvs.find((l: { name: string }) => l.name === 'root'), { action: 'partclone', fsType: 'ext4', fsName: 'ext4', files: [`${vg}-root.ext4-ptcl-img.zst`] });

  const image = await openImage(imageDir);
  t.deepEqual(image.partitions.map((p) => p.action), ['partclone', 'lvm-pv', 'partclone']);
  t.deepEqual(image.lvm[0]!.lvs.map((l) => [l.name, l.action, l.fsType, l.files.length, l.swap?.label]), [
    ['root', 'partclone', 'ext4', 1, undefined],
    ['swap', 'swap', 'swap', 0, 'swap0'],
  ]);
  const report = await verifyImage(imageDir, runner);
  t.true(report.ok, JSON.stringify(report.problems));
  t.is(report.checkedPartitions, 3, 'two partitions and the LV checked by partclone.chkimg');

  const target = await probeDisk(runner, dst.device);
  const machinePvs = await allPvs(runner);
  const refused = planRestore({ image, target, imageDisk: undefined, lvm: { machinePvs, activeOnTarget: [] } }, { bootOnly: false, grow: false });
  t.deepEqual(refused.refusals.map((r) => r.code), ['vg-present']);
  t.regex(refused.refusals[0]!.message, new RegExp(`a volume group named ${vg} .* already present on this machine, on ${src.part(2)}`));
  const elsewhere = planRestore({ image, target, imageDisk: undefined, lvm: { machinePvs: machinePvs.filter((p) => p.vgName !== vg), activeOnTarget: [] } }, { bootOnly: false, grow: false });
  t.deepEqual(elsewhere.refusals, []);
  t.deepEqual(elsewhere.steps.map((s) => s.kind), ['table', 'boot-code', 'partition', 'partition', 'lvm-pv', 'lvm-vg', 'partition', 'swap', 'lvm-deactivate']);
  t.like(elsewhere.steps[4], { kind: 'lvm-pv', target: dst.part(2) });
});

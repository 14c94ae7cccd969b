// Acceptance (host side): Lifeboat's LVM files are what Clonezilla's own ocs-functions read, and Lifeboat reads what
// they write. Clonezilla is not in the ISO, and this host has no device-mapper, so neither tool can move an LV's data
// here: the metadata half is checked with Debian's real Clonezilla (clonezilla 5.3.17) on a loop disk whose VG is
// never activated. (a) The lists and lvm_<vg>.conf written by Lifeboat's saveLvmMetadata are restored by
// Clonezilla's restore_logv (pvcreate --uuid --restorefile, vgcfgrestore): the PV, VG and LV UUIDs come back; its
// file names (to_ocs_dev_img_name, swappt-…) and swap detection match Lifeboat's. (b) The lists that Clonezilla's
// save_logv writes are read by Lifeboat's parsers. The LVs' data round trip is test/harness/lvm-lab.test.ts (guest).
// Needs root, loop devices, lvm2 and the clonezilla and drbl packages.
import test from 'ava';
import { execa } from 'execa';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../../core/runner/run.js';
import { codecs } from '../../imager/codec/codecs.js';
import { probeDisk } from '../../imager/disks/probe.js';
import { planLvmBackup } from '../../imager/lvm/backup-plan.js';
import { saveLvmMetadata } from '../../imager/lvm/backup.js';
import { lvmNames, parseLogvList, parseVgDevList } from '../../imager/lvm/files.js';
import { probeVgs } from '../../imager/lvm/probe.js';
import { haveOcsSr } from '../helpers/clonezilla.js';
import { attach, makeSparse, partition, tempDir, type LoopDisk } from '../helpers/loop.js';

const vg = `lbcz${process.pid}`;
const lvmConfig = ['--config', 'activation{udev_sync=0} backup{backup=0 archive=0}'];
const lvmEnv = { LVM_SUPPRESS_FD_WARNINGS: '1' };
let dir = '';
let disk: LoopDisk | undefined;

/** Runs bash with Clonezilla's functions loaded, as ocs-sr loads them. */
function ocs(script: string, env: Record<string, string> = {}) {
  return execa('bash', ['-c', `. /usr/share/drbl/sbin/drbl-conf-functions; . /etc/drbl/drbl-ocs.conf; . /usr/share/drbl/sbin/ocs-functions; ${script}`], { env: { ...lvmEnv, ...env }, all: true, reject: false, timeout: 120_000 });
}

async function lvmFacts(): Promise<string> {
  const pv = await execa('pvs', ['--noheadings', '-o', 'pv_uuid,vg_name,vg_uuid', disk!.part(2)], { env: lvmEnv });
  const lv = await execa('lvs', ['--noheadings', '-o', 'lv_name,lv_uuid,lv_size', vg], { env: lvmEnv });
  return `${pv.stdout.trim()}\n${lv.stdout.trim()}`;
}

async function removeVg(): Promise<void> {
  await execa('vgremove', ['--driverloaded', 'n', ...lvmConfig, '-ff', vg], { env: lvmEnv, reject: false });
}

test.before(async (t) => {
  if (!(await haveOcsSr())) t.fail('Clonezilla is not installed: /usr/sbin/ocs-sr is missing (scripts/setup installs the clonezilla and drbl packages)');
  dir = await tempDir('lifeboat-lvm-cz-');
  const file = path.join(dir, 'disk.img');
  await makeSparse(file, 96);
  await partition(file, 'label: gpt\nsize=8M\ntype=E6D6D379-F507-44C2-A23C-238F2A3DF928\n');
  disk = await attach(file);
  await execa('pvcreate', [...lvmConfig, disk.part(2)], { env: lvmEnv });
  await execa('vgcreate', [...lvmConfig, vg, disk.part(2)], { env: lvmEnv });
  for (const [name, size] of [['root', '16M'], ['swap', '8M']])
    await execa('lvcreate', ['--driverloaded', 'n', ...lvmConfig, '-an', '-Zn', '-L', size!, '-n', name!, vg], { env: lvmEnv });
});

test.after.always(async () => {
  await removeVg();
  await disk?.detach();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test.serial("(a) Clonezilla's restore_logv restores the VG from Lifeboat's lists and lvm_<vg>.conf, with the same PV, VG and LV UUIDs", async (t) => {
  const runner = new Runner();
  const probed = await probeDisk(runner, disk!.device);
  const vgs = (await probeVgs(runner, probed)).filter((v) => v.name === vg);
  t.is(vgs.length, 1);
  // Not active here (no device-mapper): the swap LV's probe is given as the guest's backup finds it after activation.
  const swapFs = { type: 'swap', uuid: '0d2f4c1e-9a52-4bde-8a1b-7b2c3d4e5f60', label: 'swap0', version: '1', usage: 'other', ptType: undefined, raw: {} };
  vgs[0]!.lvs = vgs[0]!.lvs.map((l) => (l.name === 'swap' ? { ...l, fs: swapFs } : l));
  const plan = planLvmBackup(probed, vgs, codecs.zstd);
  t.is(plan.vgs[0]!.mode, 'lvm');
  const image = path.join(dir, 'lifeboat-img');
  await mkdir(image);
  await saveLvmMetadata(runner, plan.vgs, (f, data) => writeFile(path.join(image, f), data));
  t.deepEqual((await readdir(image)).sort(), [lvmNames.vgConf(vg), 'lvm_logv.list', 'lvm_vg_dev.list']);

  // Clonezilla's names for these LVs' files are Lifeboat's.
  const names = await ocs(`for lv in /dev/${vg}/root /dev/${vg}/swap; do fn=$(to_ocs_dev_img_name $lv); echo "$fn swappt-$(to_filename $fn).info"; done`);
  t.is(names.stdout, `${lvmNames.lvImageBase(vg, 'root')} ${lvmNames.lvSwapInfo(vg, 'root')}\n${lvmNames.lvImageBase(vg, 'swap')} ${lvmNames.lvSwapInfo(vg, 'swap')}`, names.all);
  // restore_logv's reading of lvm_logv.list: `while read lv fs`, swap by `case "$fs" in *[Ss][Ww][Aa][Pp]*`.
  const kinds = await ocs(`while read lv fs; do case "$fs" in *[Ss][Ww][Aa][Pp]*) echo "$lv swap";; *) echo "$lv data";; esac; done < ${image}/lvm_logv.list`);
  t.is(kinds.stdout, `/dev/${vg}/root data\n/dev/${vg}/swap swap`);

  // The disk loses its VG; Clonezilla's restore_logv makes it again from Lifeboat's files.
  const before = await lvmFacts();
  await removeVg();
  await execa('wipefs', ['-q', '-a', disk!.part(2)]);
  t.regex((await execa('pvs', [disk!.part(2)], { env: lvmEnv, reject: false })).stderr, /Failed to find physical volume/);
  const r = await ocs(`target_dir_fullpath=${image}; OCS_LOGFILE=${dir}/ocs.log; restore_logv ${disk!.name}p2 unicast; echo "restore_logv rc=$?"`);
  t.regex(r.stdout, /restore_logv rc=0/, r.all);
  t.regex(r.all ?? '', new RegExp(`Restored volume group ${vg}`));
  t.is(await lvmFacts(), before);
});

test.serial("(b) what Clonezilla's save_logv writes of a VG is read by Lifeboat's parsers", async (t) => {
  const cz = path.join(dir, 'clonezilla-img');
  await mkdir(cz, { recursive: true });
  const r = await ocs(`target_dir_fullpath=${cz}; OCS_LOGFILE=${dir}/ocs-save.log; save_logv ${disk!.name}p2; echo "save_logv rc=$?"`);
  t.regex(r.all ?? '', /Saving the VG config/, r.all);
  const pvUuid = (await execa('pvs', ['--noheadings', '-o', 'pv_uuid', disk!.part(2)], { env: lvmEnv })).stdout.trim();
  t.deepEqual(parseVgDevList(await readFile(path.join(cz, lvmNames.vgDevList), 'utf8')), [{ vg, device: disk!.part(2), uuid: pvUuid }]);
  t.deepEqual(parseLogvList(await readFile(path.join(cz, lvmNames.logvList), 'utf8')).map((l) => [l.path, l.vg, l.lv]), [
    [`/dev/${vg}/root`, vg, 'root'],
    [`/dev/${vg}/swap`, vg, 'swap'],
  ]);
  t.regex(await readFile(path.join(cz, lvmNames.vgConf(vg)), 'utf8'), new RegExp(`id = "${pvUuid}"`));
});

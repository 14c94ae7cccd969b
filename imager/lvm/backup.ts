// Saves what Clonezilla's save_logv saves of each VG besides the LVs' data: lvm_vg_dev.list, lvm_logv.list, lvm_<vg>.conf (vgcfgbackup).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Runner } from '../../core/runner/run.js';
import type { ManifestVg } from '../image/manifest.js';
import type { PlannedVg } from './backup-plan.js';
import { fileDescription, logvListText, lvmNames, vgDevListText } from './files.js';

const lvmEnv = { LVM_SUPPRESS_FD_WARNINGS: '1' };

/** Writes the VGs' lists and metadata files into the image through `put`, and returns their manifest records (LVs without data yet). */
export async function saveLvmMetadata(runner: Runner, vgs: readonly PlannedVg[], put: (file: string, data: string | Buffer) => Promise<void>): Promise<ManifestVg[]> {
  const saved = vgs.filter((v) => v.mode === 'lvm');
  if (saved.length === 0) return [];
  await put(lvmNames.vgDevList, vgDevListText(saved.flatMap((vg) => vg.pvs.map((p) => ({ vg: vg.name, device: p.device, uuid: p.uuid })))));
  await put(lvmNames.logvList, logvListText(saved.flatMap((vg) => vg.lvs.map((lv) => ({ path: lv.path, description: fileDescription(lv.facts.fs?.type, lv.facts.fs?.uuid, lv.facts.fs?.label) })))));
  // vgcfgbackup writes beside its output file (a temporary and a lock): into a private folder here, not the store.
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'lifeboat-vgcfg-'));
  try {
    for (const vg of saved) {
      const file = path.join(tmp, lvmNames.vgConf(vg.name));
      await runner.run('vgcfgbackup', ['-f', file, vg.name], { env: lvmEnv, hint: `LVM could not write the metadata of ${vg.name}` });
      await put(lvmNames.vgConf(vg.name), await readFile(file));
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return saved.map((vg) => ({
    name: vg.name,
    uuid: vg.uuid,
    conf: lvmNames.vgConf(vg.name),
    pvs: vg.pvs.map((p) => ({ partition: p.number, device: p.device, uuid: p.uuid })),
    lvs: vg.lvs.map((lv) => ({
      name: lv.name,
      path: lv.path,
      sizeBytes: lv.sizeBytes,
      action: lv.action,
      ...(lv.facts.fs?.type ? { fsType: lv.facts.fs.type } : {}),
      ...(lv.facts.fs?.uuid ? { fsUuid: lv.facts.fs.uuid } : {}),
      ...(lv.facts.fs?.label ? { fsLabel: lv.facts.fs.label } : {}),
    })),
  }));
}

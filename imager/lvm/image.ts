// Reads the VGs of an image saved in Clonezilla's LVM layout (Lifeboat's or Clonezilla's): PVs, metadata file, each LV's image files or swap info.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidImageError } from '../../core/errors.js';
import type { FsHandler } from '../fs/partclone.js';
import { handlerForFsName } from '../fs/registry.js';
import { parsePartImageName } from '../image/layout.js';
import type { Manifest } from '../image/manifest.js';
import { dmName } from '../parse/lvm.js';
import { lvmNames, parseLogvList, parseVgDevList } from './files.js';

export interface ImageLv {
  vg: string;
  name: string;
  /** /dev/<vg>/<lv> */
  path: string;
  /** Where it appears once its VG is restored and active: /dev/mapper/<vg>-<lv>. */
  dmPath: string;
  action: 'partclone' | 'raw' | 'swap';
  handler: FsHandler | undefined;
  /** Absolute paths of its image pieces, in order (none for swap). */
  files: string[];
  swap?: { uuid: string | undefined; label: string | undefined };
  fsType: string | undefined;
  fsUuid: string | undefined;
  fsLabel: string | undefined;
  imageBytes: number;
}

export interface ImageVg {
  name: string;
  /** Absolute path of lvm_<vg>.conf. */
  conf: string;
  /** The source's PVs of this VG: partition number (by the source's kernel name), device, PV UUID. */
  pvs: Array<{ number: number; device: string; uuid: string }>;
  lvs: ImageLv[];
}

function parseSwapInfo(text: string): { uuid: string | undefined; label: string | undefined } {
  const get = (k: string) => new RegExp(`^${k}="([^"]*)"`, 'm').exec(text)?.[1] || undefined;
  return { uuid: get('UUID'), label: get('LABEL') };
}

/** The partition number of a PV device of the source disk (/dev/sda3, /dev/nvme0n1p3 -> 3), or undefined for a PV elsewhere. */
function partitionNumber(device: string, diskName: string): number | undefined {
  const base = path.basename(device);
  if (!base.startsWith(diskName) || base === diskName) return undefined;
  const m = /(\d+)$/.exec(base.slice(diskName.length));
  return m ? Number(m[1]) : undefined;
}

/** The image's VGs; none when it has no lvm_vg_dev.list. */
export async function readImageLvm(dir: string, entries: readonly string[], diskName: string, manifest: Manifest | undefined): Promise<ImageVg[]> {
  if (!entries.includes(lvmNames.vgDevList)) return [];
  const pvLines = parseVgDevList(await readFile(path.join(dir, lvmNames.vgDevList), 'utf8'));
  const logv = entries.includes(lvmNames.logvList) ? parseLogvList(await readFile(path.join(dir, lvmNames.logvList), 'utf8')) : [];
  const vgNames = [...new Set(pvLines.map((l) => l.vg))].filter((v) => v !== '/NOT_FOUND');
  const out: ImageVg[] = [];
  for (const vg of vgNames) {
    const conf = lvmNames.vgConf(vg);
    if (!entries.includes(conf)) throw new InvalidImageError(`the image has no metadata file ${conf} for the volume group ${vg}`, { file: conf });
    const pvs = pvLines
      .filter((l) => l.vg === vg)
      .map((l) => {
        const number = partitionNumber(l.device, diskName);
        if (number === undefined) throw new InvalidImageError(`${lvmNames.vgDevList}: the PV ${l.device} of ${vg} is not a partition of the image's disk ${diskName}`, { file: lvmNames.vgDevList });
        return { number, device: l.device, uuid: l.uuid };
      });
    const recorded = manifest?.lvm?.find((v) => v.name === vg);
    const lvs: ImageLv[] = [];
    for (const line of logv.filter((l) => l.vg === vg)) {
      const base = lvmNames.lvImageBase(vg, line.lv);
      const m = recorded?.lvs.find((l) => l.name === line.lv);
      const common = { vg, name: line.lv, path: line.path, dmPath: `/dev/mapper/${dmName(vg, line.lv)}`, fsUuid: m?.fsUuid, fsLabel: m?.fsLabel };
      const swapFile = lvmNames.lvSwapInfo(vg, line.lv);
      if (line.swap || m?.action === 'swap') {
        const swap = entries.includes(swapFile) ? parseSwapInfo(await readFile(path.join(dir, swapFile), 'utf8')) : { uuid: undefined, label: undefined };
        lvs.push({ ...common, action: 'swap', handler: undefined, files: [], swap, fsType: 'swap', fsUuid: swap.uuid, fsLabel: swap.label, imageBytes: 0 });
        continue;
      }
      const found = entries.filter((e) => parsePartImageName(e)?.part === base).sort();
      const files = m?.files ?? found;
      if (files.length === 0) throw new InvalidImageError(`the image of the logical volume ${vg}/${line.lv} is missing (no ${base}.*-ptcl-img.* file)`, { file: base });
      const fsName = m?.fsName ?? parsePartImageName(files[0]!)!.fsName;
      let imageBytes = 0;
      for (const f of files) {
        try {
          imageBytes += (await stat(path.join(dir, f))).size;
        } catch {
          throw new InvalidImageError(`image file ${f} is missing`, { file: f });
        }
      }
      lvs.push({ ...common, action: fsName === 'dd' ? 'raw' : 'partclone', handler: handlerForFsName(fsName), files: files.map((f) => path.join(dir, f)), fsType: m?.fsType ?? fsName, imageBytes });
    }
    out.push({ name: vg, conf: path.join(dir, conf), pvs, lvs });
  }
  return out;
}

// Parses `pvs`/`lvs --noheadings --nameprefixes --units b` (LVM2_KEY='value' per line) into PV and LV records.

export const pvsFields = ['pv_name', 'pv_uuid', 'vg_name', 'vg_uuid'];
export const lvsFields = ['lv_name', 'lv_uuid', 'lv_size', 'vg_name', 'lv_path'];

export interface PvRecord {
  device: string;
  pvUuid: string | undefined;
  vgName: string | undefined;
  vgUuid: string | undefined;
}

export interface LvRecord {
  name: string;
  uuid: string | undefined;
  sizeBytes: number;
  vgName: string;
  path: string | undefined;
}

/** One record per line: LVM2_PV_NAME='/dev/sda2' LVM2_VG_NAME='vg0' … (values may hold spaces; quotes escape as \'). */
function records(text: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const line of text.split('\n')) {
    const rec: Record<string, string> = {};
    for (const m of line.matchAll(/LVM2_([A-Z0-9_]+)='((?:[^'\\]|\\.)*)'/g)) rec[m[1]!.toLowerCase()] = m[2]!.replace(/\\(.)/g, '$1');
    if (Object.keys(rec).length > 0) out.push(rec);
  }
  return out;
}

const orUndefined = (v: string | undefined) => (v ? v : undefined);

export function parsePvs(text: string): PvRecord[] {
  return records(text)
    .filter((r) => r['pv_name'])
    .map((r) => ({ device: r['pv_name']!, pvUuid: orUndefined(r['pv_uuid']), vgName: orUndefined(r['vg_name']), vgUuid: orUndefined(r['vg_uuid']) }));
}

export function parseLvs(text: string): LvRecord[] {
  return records(text)
    .filter((r) => r['lv_name'] && r['vg_name'])
    .map((r) => ({ name: r['lv_name']!, uuid: orUndefined(r['lv_uuid']), sizeBytes: Number((r['lv_size'] ?? '0').replace(/B$/, '')), vgName: r['vg_name']!, path: orUndefined(r['lv_path']) }));
}

/** The device-mapper name of an LV as lsblk shows it: dashes inside names are doubled (vg-x/lv → vg--x-lv). */
export function dmName(vg: string, lv: string): string {
  return `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;
}

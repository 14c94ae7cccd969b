// Parses LVM's JSON reports (`pvs|lvs --reportformat json --units b --nosuffix -o …`) into PV and LV records with the fields that decide how an LV is imaged.

/** The columns asked of pvs and lvs; the parsers read exactly these. */
export const pvReportFields = ['pv_name', 'pv_uuid', 'vg_name', 'vg_uuid'];
export const lvReportFields = ['vg_name', 'lv_name', 'lv_uuid', 'lv_size', 'lv_attr', 'segtype', 'lv_dm_path', 'lv_path', 'origin', 'pool_lv', 'lv_active', 'lv_tags', 'snap_percent'];
export const vgReportFields = ['vg_name', 'vg_free', 'vg_extent_size'];

export interface PvReport {
  device: string;
  pvUuid: string;
  /** Undefined for a PV in no VG. */
  vgName: string | undefined;
  vgUuid: string | undefined;
}

/** What an LV is, from lv_attr's first character (lvs(8)): what decides whether it can be imaged on its own. */
export type LvRole = 'plain' | 'origin' | 'snapshot' | 'thin-pool' | 'thin' | 'other';

export interface LvReport {
  vgName: string;
  name: string;
  uuid: string;
  sizeBytes: number;
  attr: string;
  segtype: string;
  role: LvRole;
  /** /dev/mapper/<vg>-<lv>: the node device-mapper makes when the LV is active. */
  dmPath: string;
  /** /dev/<vg>/<lv>; empty for hidden LVs (a thin pool's data and metadata). */
  path: string;
  origin: string | undefined;
  pool: string | undefined;
  active: boolean;
  /** LVM tags (lv_tags, comma-separated in the report): Lifeboat's snapshots carry lifeboat-snapshot. */
  tags: string[];
  /** A snapshot's fill in percent (snap_percent); undefined for other LVs. */
  snapPercent: number | undefined;
}

export interface VgReport {
  name: string;
  freeBytes: number;
  extentBytes: number;
}

export function parseVgReport(text: string): VgReport[] {
  return rows(text, 'vg')
    .filter((r) => r['vg_name'])
    .map((r) => ({ name: r['vg_name']!, freeBytes: Number(r['vg_free'] ?? '0'), extentBytes: Number(r['vg_extent_size'] ?? '0') }));
}

type Row = Record<string, string>;

/** The rows of one report kind ("pv", "lv", "vg") from LVM's JSON; LVM may print several report objects. */
function rows(text: string, kind: string): Row[] {
  const start = text.indexOf('{');
  if (start < 0) return [];
  const parsed = JSON.parse(text.slice(start)) as { report?: Array<Record<string, Row[] | undefined>> };
  return (parsed.report ?? []).flatMap((r) => r[kind] ?? []);
}

const orUndefined = (v: string | undefined) => (v ? v : undefined);

export function parsePvReport(text: string): PvReport[] {
  return rows(text, 'pv')
    .filter((r) => r['pv_name'])
    .map((r) => ({ device: r['pv_name']!, pvUuid: r['pv_uuid'] ?? '', vgName: orUndefined(r['vg_name']), vgUuid: orUndefined(r['vg_uuid']) }));
}

/** lv_attr's volume type character (lvs(8)): t thin pool, V thin volume, o origin, s snapshot, - plain; the rest (mirror, raid, cache, …) other. */
export function lvRole(attr: string): LvRole {
  switch (attr[0]) {
    case '-':
      return 'plain';
    case 'o':
      return 'origin';
    case 's':
    case 'S':
      return 'snapshot';
    case 't':
      return 'thin-pool';
    case 'V':
      return 'thin';
    default:
      return 'other';
  }
}

export function parseLvReport(text: string): LvReport[] {
  return rows(text, 'lv')
    .filter((r) => r['lv_name'] && r['vg_name'])
    .map((r) => {
      const attr = r['lv_attr'] ?? '';
      return {
        vgName: r['vg_name']!,
        name: r['lv_name']!,
        uuid: r['lv_uuid'] ?? '',
        sizeBytes: Number(r['lv_size'] ?? '0'),
        attr,
        segtype: r['segtype'] ?? '',
        role: lvRole(attr),
        dmPath: r['lv_dm_path'] ?? '',
        path: r['lv_path'] ?? '',
        origin: orUndefined(r['origin']),
        pool: orUndefined(r['pool_lv']),
        // lv_attr's fifth character is the state: a active; lv_active says "active" (or "unknown" without device-mapper).
        active: r['lv_active'] === 'active' || attr[4] === 'a',
        tags: (r['lv_tags'] ?? '').split(',').filter(Boolean),
        snapPercent: r['snap_percent'] ? Number(r['snap_percent']) : undefined,
      };
    });
}

// Parses `lsblk --json --bytes -o …` (the columns in lsblkColumns) into typed block devices.

export const lsblkColumns = ['NAME', 'PATH', 'KNAME', 'TYPE', 'SIZE', 'MODEL', 'SERIAL', 'WWN', 'LOG-SEC', 'PHY-SEC', 'RM', 'RO', 'TRAN', 'PKNAME', 'MOUNTPOINTS', 'MAJ:MIN'];

export interface LsblkDevice {
  name: string;
  path: string;
  type: string; // disk, loop, part, rom, …
  size: number;
  model: string | undefined;
  serial: string | undefined;
  wwn: string | undefined;
  logicalSectorSize: number;
  physicalSectorSize: number;
  removable: boolean;
  readOnly: boolean;
  transport: string | undefined;
  parent: string | undefined;
  mountpoints: string[];
  majMin: string;
  children: LsblkDevice[];
}

interface RawDevice {
  name: string;
  path: string;
  type: string;
  size: number | string;
  model: string | null;
  serial: string | null;
  wwn: string | null;
  'log-sec': number | string;
  'phy-sec': number | string;
  rm: boolean | string;
  ro: boolean | string;
  tran: string | null;
  pkname: string | null;
  mountpoints?: Array<string | null>;
  mountpoint?: string | null;
  'maj:min': string;
  children?: RawDevice[];
}

function bool(v: boolean | string): boolean {
  return v === true || v === '1' || v === 'true';
}

function clean(v: string | null | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function convert(d: RawDevice): LsblkDevice {
  return {
    name: d.name,
    path: d.path,
    type: d.type,
    size: Number(d.size),
    model: clean(d.model),
    serial: clean(d.serial),
    wwn: clean(d.wwn),
    logicalSectorSize: Number(d['log-sec']),
    physicalSectorSize: Number(d['phy-sec']),
    removable: bool(d.rm),
    readOnly: bool(d.ro),
    transport: clean(d.tran),
    parent: clean(d.pkname),
    mountpoints: (d.mountpoints ?? [d.mountpoint ?? null]).filter((m): m is string => typeof m === 'string' && m !== ''),
    majMin: d['maj:min'],
    children: (d.children ?? []).map(convert),
  };
}

export function parseLsblkJson(text: string): LsblkDevice[] {
  const data = JSON.parse(text) as { blockdevices: RawDevice[] };
  return data.blockdevices.map(convert);
}

// Parses `sfdisk --json DEV` into a typed partition table, and rewrites `sfdisk --dump` scripts for another disk.

export type TableType = 'gpt' | 'dos';

export interface TablePartition {
  number: number;
  node: string;
  start: number; // sectors
  size: number; // sectors
  type: string; // GPT type GUID (upper case) or MBR type byte in hex ("83", "5")
  uuid: string | undefined; // GPT partition GUID
  name: string | undefined; // GPT partition name
  attrs: string | undefined;
  bootable: boolean;
}

export interface PartitionTable {
  type: TableType;
  id: string; // GPT disk GUID or MBR disk signature (0x…)
  sectorSize: number;
  firstLba: number | undefined;
  lastLba: number | undefined;
  partitions: TablePartition[];
}

interface SfdiskJson {
  partitiontable: {
    label: string;
    id: string;
    device: string;
    unit: string;
    firstlba?: number;
    lastlba?: number;
    sectorsize?: number;
    partitions?: Array<{ node: string; start: number; size: number; type: string; uuid?: string; name?: string; attrs?: string; bootable?: boolean }>;
  };
}

/** The partition number at the end of a node name: /dev/sda5 → 5, /dev/nvme0n1p3 → 3, /dev/loop2p1 → 1. */
export function partitionNumber(node: string): number {
  const m = /(\d+)$/.exec(node);
  if (!m) throw new Error(`no partition number in ${node}`);
  return Number(m[1]);
}

export function parseSfdiskJson(text: string): PartitionTable {
  const t = (JSON.parse(text) as SfdiskJson).partitiontable;
  if (t.label !== 'gpt' && t.label !== 'dos') throw new Error(`unsupported partition table type '${t.label}'`);
  return {
    type: t.label,
    id: t.id,
    sectorSize: t.sectorsize ?? 512,
    firstLba: t.firstlba,
    lastLba: t.lastlba,
    partitions: (t.partitions ?? []).map((p) => ({
      number: partitionNumber(p.node),
      node: p.node,
      start: p.start,
      size: p.size,
      type: p.type.toUpperCase(),
      uuid: p.uuid,
      name: p.name,
      attrs: p.attrs,
      bootable: p.bootable === true,
    })),
  };
}

/** MBR extended partition types (a container of logical partitions, not a filesystem). */
export function isExtended(table: Pick<PartitionTable, 'type'>, p: Pick<TablePartition, 'type'>): boolean {
  return table.type === 'dos' && ['5', 'F', '85'].includes(p.type.toUpperCase());
}

/** Parses an `sfdisk --dump` script (Clonezilla's <disk>-pt.sf) into the same shape as `sfdisk --json`. */
export function parseSfdiskDump(text: string): PartitionTable {
  const header: Record<string, string> = {};
  const partitions: TablePartition[] = [];
  for (const line of text.split('\n')) {
    const part = /^(\S+)\s*:\s*(.*start=.*)$/.exec(line);
    if (part) {
      const fields: Record<string, string> = {};
      let bootable = false;
      for (const raw of part[2]!.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
        const f = raw.trim();
        if (f === 'bootable') bootable = true;
        const eq = f.indexOf('=');
        if (eq > 0) fields[f.slice(0, eq).trim()] = f.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      }
      partitions.push({
        number: partitionNumber(part[1]!),
        node: part[1]!,
        start: Number(fields['start']),
        size: Number(fields['size']),
        type: (fields['type'] ?? fields['Id'] ?? '').toUpperCase(),
        uuid: fields['uuid'],
        name: fields['name'],
        attrs: fields['attrs'],
        bootable,
      });
      continue;
    }
    const kv = /^([a-z-]+):\s*(.*)$/.exec(line);
    if (kv) header[kv[1]!] = kv[2]!.trim();
  }
  const label = header['label'];
  if (label !== 'gpt' && label !== 'dos') throw new Error(`unsupported partition table type '${label ?? 'none'}'`);
  return {
    type: label,
    id: header['label-id'] ?? '',
    sectorSize: header['sector-size'] ? Number(header['sector-size']) : 512,
    firstLba: header['first-lba'] ? Number(header['first-lba']) : undefined,
    lastLba: header['last-lba'] ? Number(header['last-lba']) : undefined,
    partitions,
  };
}

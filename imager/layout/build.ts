// Builds a disk's layout tree from parsed lsblk, sfdisk, blkid, pvs/lvs and mdadm output (pure: no commands run).
import type { BlkidInfo } from '../parse/blkid.js';
import { dmName, type LvRecord, type PvRecord } from '../parse/lvm.js';
import type { LsblkDevice } from '../parse/lsblk.js';
import type { MdExamine } from '../parse/mdadm.js';
import { isExtended, type PartitionTable } from '../parse/sfdisk.js';
import type { Content, DiskLayout, LayoutNode, LayoutTable, LogicalVolume } from './model.js';

export interface LayoutFacts {
  /** The disk as lsblk shows it, with its children (partitions, and what sits on them when opened or active). */
  disk: LsblkDevice;
  table: PartitionTable | undefined;
  /** Each partition's device path by number (as the kernel names it). */
  partitionPath: (n: number) => string;
  /** `blkid -p` of each probed device, by path; a device missing here has unknown content. */
  blkid: ReadonlyMap<string, BlkidInfo>;
  pvs?: readonly PvRecord[];
  lvs?: readonly LvRecord[];
  /** `mdadm --examine` of md members, by path. */
  md?: ReadonlyMap<string, MdExamine>;
}

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** What a device holds, from its blkid probe and the nodes lsblk shows on top of it. */
export function contentOf(device: string, node: LsblkDevice | undefined, facts: LayoutFacts): Content {
  const b = facts.blkid.get(device);
  const nodes = (node?.children ?? []).filter((c) => c.type !== 'part');
  const children = (): LayoutNode[] => nodes.map((c) => nodeOf(c, facts));
  if (!b) return { kind: 'unknown' };
  switch (b.type) {
    case undefined:
      return b.ptType ? { kind: 'unknown', ptType: b.ptType } : { kind: 'empty' };
    case 'crypto_LUKS':
      return defined({ kind: 'luks', version: b.version ? Number(b.version) : undefined, uuid: b.uuid, label: b.label, children: children() });
    case 'LVM2_member':
      return pvContent(device, b, nodes, facts);
    case 'linux_raid_member': {
      const md = facts.md?.get(device);
      return defined({ kind: 'md-member', arrayUuid: b.uuid, memberUuid: b.raw['UUID_SUB'], name: b.label, metadata: b.version, level: md?.level, children: children() });
    }
    case 'BitLocker':
      return defined({ kind: 'bitlocker', version: b.version, uuid: b.uuid });
    case 'swap':
      return defined({ kind: 'swap', uuid: b.uuid, label: b.label });
    default:
      if (b.usage === 'filesystem') return defined({ kind: 'filesystem', fsType: b.type, uuid: b.uuid, label: b.label, version: b.version });
      return { kind: 'unknown', blkidType: b.type };
  }
}

function nodeOf(c: LsblkDevice, facts: LayoutFacts): LayoutNode {
  return { device: c.path, kind: c.type, sizeBytes: c.size, content: contentOf(c.path, c, facts) };
}

/** An LVM PV: its VG, and the VG's LVs (each with its active node, when lsblk shows one on this PV). */
function pvContent(device: string, b: BlkidInfo, nodes: LsblkDevice[], facts: LayoutFacts): Content {
  const pv = facts.pvs?.find((p) => p.device === device);
  const vg = pv?.vgName;
  const used = new Set<LsblkDevice>();
  const lvs: LogicalVolume[] = (vg ? (facts.lvs ?? []).filter((l) => l.vgName === vg) : []).map((l) => {
    const active = nodes.find((n) => n.type === 'lvm' && n.name === dmName(vg!, l.name));
    if (active) used.add(active);
    return defined({ name: l.name, uuid: l.uuid, sizeBytes: l.sizeBytes, node: active ? nodeOf(active, facts) : undefined });
  });
  return defined({
    kind: 'lvm-pv',
    pvUuid: pv?.pvUuid ?? b.uuid,
    vgName: vg,
    vgUuid: pv?.vgUuid,
    lvs,
    children: nodes.filter((n) => !used.has(n)).map((n) => nodeOf(n, facts)),
  });
}

/** The whole tree of one disk: its table and each partition's content, or the whole disk's content without a table. */
export function buildLayout(facts: LayoutFacts): DiskLayout {
  const { disk, table } = facts;
  const base = { sizeBytes: disk.size, logicalSectorSize: disk.logicalSectorSize };
  if (!table) return { ...base, content: contentOf(disk.path, disk, facts) };
  const byPath = new Map(disk.children.map((c) => [c.path, c]));
  const layoutTable: LayoutTable = defined({
    type: table.type,
    id: table.id,
    sectorSize: table.sectorSize,
    firstLba: table.firstLba,
    lastLba: table.lastLba,
    partitions: table.partitions.map((p) => {
      const device = facts.partitionPath(p.number);
      const content: Content = isExtended(table, p) ? { kind: 'extended' } : contentOf(device, byPath.get(device), facts);
      return defined({ number: p.number, start: p.start, size: p.size, type: p.type, uuid: p.uuid, name: p.name, attrs: p.attrs, bootable: p.bootable, content });
    }),
  });
  return { ...base, table: layoutTable };
}

/** The layout an image without a recorded tree still has: its table, each partition's content unknown. */
export function layoutFromTable(table: PartitionTable, sizeBytes: number): DiskLayout {
  return buildLayout({
    disk: { name: '', path: '', type: 'disk', size: sizeBytes, model: undefined, serial: undefined, wwn: undefined, logicalSectorSize: table.sectorSize, physicalSectorSize: table.sectorSize, removable: false, readOnly: false, transport: undefined, parent: undefined, mountpoints: [], majMin: '', children: [] },
    table,
    partitionPath: (n) => String(n),
    blkid: new Map(),
  });
}

/** Every content of a layout, depth first (partitions, then what is inside them). */
export function contents(layout: DiskLayout): Content[] {
  const out: Content[] = [];
  const walk = (c: Content) => {
    out.push(c);
    if ('children' in c) for (const n of c.children) walk(n.content);
    if (c.kind === 'lvm-pv') for (const lv of c.lvs) if (lv.node) walk(lv.node.content);
  };
  for (const p of layout.table?.partitions ?? []) walk(p.content);
  if (layout.content) walk(layout.content);
  return out;
}

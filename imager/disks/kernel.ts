// Tells the kernel about partitions itself (partx, BLKPG): some kernels and all loop devices here do not scan tables.
import { access, readdir, readFile } from 'node:fs/promises';
import type { PartitionTable, TablePartition } from '../parse/sfdisk.js';
import type { Runner } from '../../core/runner/run.js';
import { partitionPath, shortName } from './names.js';

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

const EXTENDED = new Set(['5', 'f', '85']);

interface KernelNode {
  number: number;
  start: number; // 512-byte sectors
  size: number;
}

/** The partition nodes the kernel has for a disk, with their numbers and geometry (sysfs). */
async function kernelNodes(device: string): Promise<KernelNode[]> {
  const name = shortName(device);
  const entries = await readdir(`/sys/block/${name}`).catch(() => [] as string[]);
  const nodes: KernelNode[] = [];
  for (const e of entries.filter((x) => x.startsWith(name) && x !== name)) {
    const dir = `/sys/block/${name}/${e}`;
    try {
      const [n, start, size] = await Promise.all(['partition', 'start', 'size'].map((f) => readFile(`${dir}/${f}`, 'utf8')));
      nodes.push({ number: Number(n!.trim()), start: Number(start!.trim()), size: Number(size!.trim()) });
    } catch {
      // not a partition, or gone while looking
    }
  }
  return nodes.sort((a, b) => a.number - b.number);
}

/** Whether the kernel's node is the table's partition. An extended partition's node is 1 KiB by the kernel's rule. */
function matches(k: KernelNode, p: TablePartition, sectorSize: number): boolean {
  const unit = sectorSize / 512;
  return k.start === p.start * unit && (EXTENDED.has(p.type.toLowerCase()) || k.size === p.size * unit);
}

/**
 * What the kernel's partition nodes need to follow the table: nodes to drop (not in the table, or at other offsets:
 * left over from an earlier table, as on a loop device reused without a partition scan; writing through them would
 * write at the old offsets, and they block adding the new ones where they overlap) and partitions to add.
 */
export async function partitionNodeRepair(device: string, table: PartitionTable): Promise<{ drop: number[]; add: number[] }> {
  const nodes = await kernelNodes(device);
  const drop: number[] = [];
  const add: number[] = [];
  for (const k of nodes) {
    const p = table.partitions.find((q) => q.number === k.number);
    if (!p || !matches(k, p, table.sectorSize)) drop.push(k.number);
  }
  for (const p of table.partitions) {
    const k = nodes.find((n) => n.number === p.number);
    if (!k || drop.includes(p.number) || !(await exists(partitionPath(device, p.number)))) add.push(p.number);
  }
  return { drop, add };
}

/** The numbers of the table's partitions that the kernel lacks or shows at other offsets (only looks). */
export async function missingPartitionNodes(device: string, table: PartitionTable): Promise<number[]> {
  return (await partitionNodeRepair(device, table)).add;
}

/** Makes the kernel's partition nodes follow the table (drops stale ones, adds missing ones); true when it changed any. */
export async function addMissingPartitionNodes(runner: Runner, device: string, table: PartitionTable): Promise<boolean> {
  const { drop, add } = await partitionNodeRepair(device, table);
  for (const n of drop) await runner.run('partx', ['-d', '--nr', `${n}`, device], { okExitCodes: [1] });
  for (const n of add) await runner.run('partx', ['-a', '--nr', `${n}`, device], { okExitCodes: [1] });
  return drop.length + add.length > 0;
}

/**
 * A job's view of the kernel's partitions: a real job adds the missing nodes (partx) and probes again; a dry run
 * changes nothing and says which it would add (their partitions are then probed as the kernel shows them).
 */
export async function partitionNodesFor<D extends { table: PartitionTable | undefined }>(
  runner: Runner,
  device: string,
  disk: D,
  reprobe: () => Promise<D>,
  dryRun: boolean,
): Promise<{ disk: D; wouldAdd: number[] }> {
  if (!disk.table) return { disk, wouldAdd: [] };
  if (dryRun) return { disk, wouldAdd: await missingPartitionNodes(device, disk.table) };
  return { disk: (await addMissingPartitionNodes(runner, device, disk.table)) ? await reprobe() : disk, wouldAdd: [] };
}

/** After a new table was written: drop the kernel's old partitions and add the new ones. */
export async function replacePartitionNodes(runner: Runner, device: string): Promise<void> {
  await runner.run('partx', ['-d', device], { okExitCodes: [1] });
  await runner.run('partx', ['-a', device], { okExitCodes: [1] });
  // Wait for the nodes: on hosts with udev they appear asynchronously.
  await runner.run('udevadm', ['settle'], { okExitCodes: [1, 2, 127] }).catch(() => undefined);
}

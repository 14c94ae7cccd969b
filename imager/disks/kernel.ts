// Tells the kernel about partitions itself (partx, BLKPG): some kernels and all loop devices here do not scan tables.
import { access } from 'node:fs/promises';
import type { PartitionTable } from '../parse/sfdisk.js';
import type { Runner } from '../../core/runner/run.js';
import { partitionPath } from './names.js';

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/** The numbers of the partitions that the table has and /dev lacks (only looks). */
export async function missingPartitionNodes(device: string, table: PartitionTable): Promise<number[]> {
  const missing: number[] = [];
  for (const p of table.partitions) if (!(await exists(partitionPath(device, p.number)))) missing.push(p.number);
  return missing;
}

/** Adds the partition nodes that the table has and /dev lacks; true when it added any. */
export async function addMissingPartitionNodes(runner: Runner, device: string, table: PartitionTable): Promise<boolean> {
  const missing = await missingPartitionNodes(device, table);
  for (const n of missing) await runner.run('partx', ['-a', '--nr', `${n}`, device], { okExitCodes: [1] });
  return missing.length > 0;
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

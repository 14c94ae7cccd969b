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

/** Adds the partition nodes that the table has and /dev lacks; true when it added any. */
export async function addMissingPartitionNodes(runner: Runner, device: string, table: PartitionTable): Promise<boolean> {
  let added = false;
  for (const p of table.partitions) {
    if (!(await exists(partitionPath(device, p.number)))) {
      await runner.run('partx', ['-a', '--nr', `${p.number}`, device], { okExitCodes: [1] });
      added = true;
    }
  }
  return added;
}

/** After a new table was written: drop the kernel's old partitions and add the new ones. */
export async function replacePartitionNodes(runner: Runner, device: string): Promise<void> {
  await runner.run('partx', ['-d', device], { okExitCodes: [1] });
  await runner.run('partx', ['-a', device], { okExitCodes: [1] });
  // Wait for the nodes: on hosts with udev they appear asynchronously.
  await runner.run('udevadm', ['settle'], { okExitCodes: [1, 2, 127] }).catch(() => undefined);
}

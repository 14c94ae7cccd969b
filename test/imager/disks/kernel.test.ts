// The kernel's partition nodes follow the table: missing nodes are added, and a node left at other offsets (a loop
// device reused without a partition scan, a table rewritten without telling the kernel) is replaced, never written through.
import test from 'ava';
import { execa } from 'execa';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../../../core/runner/run.js';
import { addMissingPartitionNodes, missingPartitionNodes, partitionNodeRepair } from '../../../imager/disks/kernel.js';
import { parseSfdiskJson } from '../../../imager/parse/sfdisk.js';
import { attach, makeSparse, partition, scratch } from '../../helpers/loop.js';

async function sysfsSize(node: string): Promise<number> {
  return Number((await readFile(`/sys/class/block/${path.basename(node)}/size`, 'utf8')).trim());
}

const exists = (p: string) => access(p).then(() => true, () => false);

async function table(device: string) {
  return parseSfdiskJson((await execa('sfdisk', ['--json', device])).stdout);
}

test.serial('a node at the old size after the table changed is stale: listed, then replaced by the table\'s partition', async (t) => {
  const { dir, attached } = await scratch(t);
  const file = path.join(dir, 'disk.img');
  await makeSparse(file, 64);
  await partition(file, 'label: gpt\nstart=2048, size=20480, type=linux\nstart=22528, size=20480, type=linux');
  const disk = await attach(file);
  attached.push(disk);
  t.is(await sysfsSize(disk.part(1)), 20480);
  // The table rewritten behind the kernel's back: partition 1 doubles, partition 2 goes.
  await execa('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', disk.device], { input: 'label: gpt\nstart=2048, size=40960, type=linux' });
  const now = await table(disk.device);
  t.deepEqual(now.partitions.map((p) => p.number), [1]);
  t.deepEqual(await partitionNodeRepair(disk.device, now), { drop: [1, 2], add: [1] }, 'partition 1 is at the old size, partition 2 is not in the table');
  t.deepEqual(await missingPartitionNodes(disk.device, now), [1]);
  t.is(await sysfsSize(disk.part(1)), 20480, 'only looking changed nothing');

  const log: string[] = [];
  t.true(await addMissingPartitionNodes(new Runner((e) => log.push(e.command)), disk.device, now));
  t.is(await sysfsSize(disk.part(1)), 40960);
  t.deepEqual(log, [`partx -d --nr 1 ${disk.device}`, `partx -d --nr 2 ${disk.device}`, `partx -a --nr 1 ${disk.device}`]);
  t.false(await exists(disk.part(2)));
  t.deepEqual(await missingPartitionNodes(disk.device, now), []);
});

test.serial('an MBR extended partition\'s node (1 KiB by the kernel\'s rule) is not stale; a missing logical one is added', async (t) => {
  const { dir, attached } = await scratch(t);
  const file = path.join(dir, 'mbr.img');
  await makeSparse(file, 64);
  await partition(file, 'label: dos\nstart=2048, size=20480, type=83\nstart=22528, size=40960, type=5\nstart=24576, size=10240, type=83');
  const disk = await attach(file);
  attached.push(disk);
  await execa('partx', ['-d', '--nr', '5', disk.device]);
  const now = await table(disk.device);
  t.deepEqual(await missingPartitionNodes(disk.device, now), [5]);
  t.true(await addMissingPartitionNodes(new Runner(() => undefined), disk.device, now));
  t.deepEqual(await missingPartitionNodes(disk.device, now), []);
  t.is(await sysfsSize(disk.part(5)), 10240);
});

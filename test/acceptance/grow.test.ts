// restore --grow onto a larger disk: the last partition (and an extended partition around it) reach the disk's end, and so does the filesystem.
import test from 'ava';
import { execa } from 'execa';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { fingerprint, GUID, makeMbrSource, writeFiles } from '../helpers/fixtures.js';
import { attach, makeSparse, partition, scratch, withMount } from '../helpers/loop.js';

const setup = scratch;

async function table(device: string) {
  return JSON.parse((await execa('sfdisk', ['--json', device])).stdout).partitiontable;
}

test.serial('GPT, ext4 last: partition and filesystem grow to the end of the disk, files and ids kept', async (t) => {
  const { dir, attached } = await setup(t);
  const file = path.join(dir, 'src.img');
  await makeSparse(file, 300);
  await partition(file, `label: gpt\nsize=100M, type=${GUID.linux}, name="a"\nsize=150M, type=${GUID.linux}, name="b"\n`);
  const src = await attach(file);
  attached.push(src);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'first', src.part(1)]);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'last', src.part(2)]);
  await withMount(src.part(2), (d) => writeFiles(d, 300, 'g'));
  const image = path.join(dir, 'image');
  t.is((await lifeboat(['backup', src.device, image])).exitCode, 0);

  await makeSparse(path.join(dir, 'big.img'), 1024);
  const big = await attach(path.join(dir, 'big.img'));
  attached.push(big);
  const r = await lifeboat(['restore', image, big.device, '--grow', '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  const tb = await table(big.device);
  const last = tb.partitions[1];
  // sfdisk aligns a partition's end to the 1 MiB grain, as partitioning tools do.
  t.true(last.start + last.size - 1 > tb.lastlba - 2048, `the last partition ends within 1 MiB of the last usable sector (${last.start + last.size - 1} of ${tb.lastlba})`);
  t.true(last.size > 1000 * 2048 - 120 * 2048, 'it grew');
  const dumpe2fs = (await execa('dumpe2fs', ['-h', big.part(2)])).stdout;
  const blocks = Number(/Block count:\s+(\d+)/.exec(dumpe2fs)![1]);
  const blockSize = Number(/Block size:\s+(\d+)/.exec(dumpe2fs)![1]);
  t.true(blocks * blockSize > 0.98 * last.size * 512, 'the filesystem fills the grown partition');
  const want = await fingerprint(src, { skipSizes: true });
  const got = await fingerprint(big, { skipSizes: true });
  t.deepEqual(got.partitions['p2']?.files, want.partitions['p2']?.files);
  t.is(got.partitions['p2']?.blkid['UUID'], want.partitions['p2']?.blkid['UUID']);
  t.deepEqual(got.partitions['p1'], want.partitions['p1']);
});

test.serial('MBR, logical swap last: the extended partition and the swap grow, swap keeps UUID and label', async (t) => {
  const { dir, attached } = await setup(t);
  const src = await makeMbrSource(path.join(dir, 'src.img'));
  attached.push(src.disk);
  const image = path.join(dir, 'image');
  t.is((await lifeboat(['backup', src.disk.device, image])).exitCode, 0);
  await makeSparse(path.join(dir, 'big.img'), 700);
  const big = await attach(path.join(dir, 'big.img'));
  attached.push(big);
  const r = await lifeboat(['restore', image, big.device, '--grow', '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  const tb = await table(big.device);
  const sectors = 700 * 2048;
  const ext = tb.partitions.find((p: { node: string }) => p.node.endsWith('p2'));
  const swap = tb.partitions.find((p: { node: string }) => p.node.endsWith('p7'));
  t.is(ext.start + ext.size, sectors);
  t.is(swap.start + swap.size, sectors);
  const want = await fingerprint(src.disk, { skipSizes: true });
  const got = await fingerprint(big, { skipSizes: true });
  t.is(got.partitions['p7']?.blkid['UUID'], want.partitions['p7']?.blkid['UUID']);
  t.is(got.partitions['p7']?.blkid['LABEL'], 'mbrswap');
  t.deepEqual(got.partitions['p5']?.files, want.partitions['p5']?.files);
});

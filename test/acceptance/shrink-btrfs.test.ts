// restore --shrink of a btrfs partition: measured by its chunks, resized on a loop-mounted staging copy, files and ids kept.
import test from 'ava';
import { execa } from 'execa';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { GUID, treeHashes } from '../helpers/fixtures.js';
import { attach, makeSparse, partition, scratch, withMount } from '../helpers/loop.js';

const MiB = 1024 * 1024;
const blkid = async (dev: string) => (await execa('blkid', ['-p', '-o', 'export', dev])).stdout.split('\n').filter((l) => /^(TYPE|UUID|LABEL|PART_ENTRY_UUID)=/.test(l));

test('btrfs onto a disk half the size: resized on its staging copy, every file, UUID and label kept, btrfs check clean', async (t) => {
  const { dir, attached } = await scratch(t);
  const file = path.join(dir, 'src.img');
  await makeSparse(file, 1200);
  await partition(file, `label: gpt\ntype=${GUID.linux}, name="pool"\n`);
  const src = await attach(file);
  attached.push(src);
  await execa('mkfs.btrfs', ['-q', '-f', '-L', 'pool', src.part(1)]);
  await withMount(src.part(1), async (m) => {
    await execa('dd', ['if=/dev/urandom', `of=${m}/random.bin`, 'bs=1M', 'count=60', 'status=none']);
    await execa('btrfs', ['subvolume', 'create', `${m}/sub`]);
    await execa('cp', ['-a', '/usr/share/doc/btrfs-progs', `${m}/sub/`]);
  });
  const image = path.join(dir, 'image');
  const b = await lifeboat(['backup', src.device, image]);
  t.is(b.exitCode, 0, b.stderr);
  const smallFile = path.join(dir, 'small.img');
  await makeSparse(smallFile, 600);
  const small = await attach(smallFile);
  attached.push(small);
  const r = await lifeboat(['restore', image, small.device, '--shrink', '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /p1 \(btrfs\): [\d.]+ GiB -> \d+ MiB, btrfs filesystem resize on a loop-mounted staging copy/);
  const size = Number((await execa('blockdev', ['--getsize64', small.part(1)])).stdout);
  t.true(size < 600 * MiB);
  t.deepEqual(await blkid(small.part(1)), await blkid(src.part(1)));
  const check = await execa('btrfs', ['check', '--readonly', small.part(1)], { reject: false });
  t.is(check.exitCode, 0, check.stdout + check.stderr);
  const super_ = (await execa('btrfs', ['inspect-internal', 'dump-super', small.part(1)])).stdout;
  t.true(Number(/^dev_item\.total_bytes\s+(\d+)/m.exec(super_)![1]) <= size, 'the filesystem fits its partition');
  // The source is detached first: two btrfs of one fsid cannot be mounted side by side.
  const want = await withMount(src.part(1), treeHashes, ['-o', 'ro']);
  await src.detach();
  attached.splice(attached.indexOf(src), 1);
  t.deepEqual(await withMount(small.part(1), treeHashes, ['-o', 'ro']), want);
});

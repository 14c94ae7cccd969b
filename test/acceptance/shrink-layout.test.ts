// restore --shrink --layout FILE: sizes a person chose replace the rule's for the partitions they name; sizes the
// rule cannot take are refused before anything is written.
import test from 'ava';
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { fingerprint, makeGptSource } from '../helpers/fixtures.js';
import { attach, fileHash, makeSparse, scratch } from '../helpers/loop.js';

const MiB = 1024 * 1024;
const sfdiskJson = async (device: string) => JSON.parse((await execa('sfdisk', ['--json', device])).stdout).partitiontable;

test('the GPT test disk onto a smaller disk with the root partition sized by a layout file; bad sizes refused, the target untouched', async (t) => {
  const { dir, attached } = await scratch(t);
  const source = (await makeGptSource(path.join(dir, 'src.img'))).disk;
  attached.push(source);
  const image = path.join(dir, 'image');
  const b = await lifeboat(['backup', source.device, image]);
  t.is(b.exitCode, 0, b.stderr);
  const smallFile = path.join(dir, 'small.img');
  await makeSparse(smallFile, 680);
  const small = await attach(smallFile);
  attached.push(small);

  // Sizes the rule cannot take: each named, exit 4, and the target byte for byte as it was.
  const bad = path.join(dir, 'bad.txt');
  await writeFile(bad, '1 32M   # the ESP\n2 10M\n');
  const before = await fileHash(smallFile);
  const refused = await lifeboat(['restore', image, small.device, '--shrink', '--layout', bad, '--yes']);
  t.is(refused.exitCode, 4, refused.stderr);
  t.regex(refused.stderr, /partition 1 keeps its size of 64 MiB \(boot or firmware partition\)/);
  t.regex(refused.stderr, /partition 2: 10 MiB is less than it needs, \d+ MiB \(its used data and margin\)/);
  t.is(await fileHash(smallFile), before, 'nothing written');
  // A file that is not a layout, one that does not exist, --layout without --shrink: usage errors (exit 2, 3).
  await writeFile(bad, 'root 10G\n');
  t.regex((await lifeboat(['restore', image, small.device, '--shrink', '--layout', bad, '--yes'])).stderr, /bad\.txt, line 1: 'root 10G' is not a partition number and a size/);
  t.is((await lifeboat(['restore', image, small.device, '--shrink', '--layout', path.join(dir, 'none.txt'), '--yes'])).exitCode, 3);
  t.is((await lifeboat(['restore', image, small.device, '--layout', bad, '--yes'])).exitCode, 2);
  t.is(await fileHash(smallFile), before, 'still nothing written');

  // The root partition (200 MiB in the image) gets exactly 170 MiB; the others are sized by the rule.
  const layout = path.join(dir, 'layout.txt');
  await writeFile(layout, '2 170MiB\n');
  const r = await lifeboat(['restore', image, small.device, '--shrink', '--layout', layout, '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /p2 \(ext4\): 200 MiB -> 170 MiB \(size from the layout file\), e2fsck -f and resize2fs/);
  const parts = (await sfdiskJson(small.device)).partitions;
  t.is(parts[1].size * 512, 170 * MiB);
  const ids = (x: Record<string, string> | undefined) => Object.fromEntries(['TYPE', 'UUID', 'LABEL', 'PART_ENTRY_UUID', 'PART_ENTRY_NAME'].map((k) => [k, x?.[k]]));
  const want = await fingerprint(source, { skipSizes: true });
  const got = await fingerprint(small, { skipSizes: true });
  for (const [node, p] of Object.entries(want.partitions)) {
    t.deepEqual(ids(got.partitions[node]?.blkid), ids(p.blkid), node);
    t.deepEqual(got.partitions[node]?.files, p.files, `${node}: every file`);
  }
  t.is((await execa('e2fsck', ['-f', '-n', small.part(2)], { reject: false })).exitCode, 0);
});

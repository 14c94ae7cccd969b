// --rescue on a disk that reads fine (real partclone and GNU ddrescue on loop devices; unreadable sectors themselves
// need device-mapper, in test/harness/rescue-lab.test.ts): the plan states the retry policy of each way, the raw
// partition goes through ddrescue and a staging file that is gone afterwards, its mapfile stays in the image, the
// state is plain complete, and the image restores to the same disk. Without --rescue the plan says a read error stops it.
import test from 'ava';
import { execa } from 'execa';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { sameDisk } from '../helpers/assert.js';
import { jsonLines, lifeboat } from '../helpers/cli.js';
import { attach, makeSparse, partition, tempDir, type LoopDisk } from '../helpers/loop.js';

test.serial('a readable disk with an ext4 and a raw partition: --rescue plans, copies, records nothing unreadable, restores the same', async (t) => {
  const dir = await tempDir('lifeboat-rescue-ok-');
  const attached: LoopDisk[] = [];
  t.teardown(async () => {
    for (const d of attached) await d.detach();
    await rm(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'source.img');
  await makeSparse(file, 64);
  await partition(file, 'label: gpt\nsize=32M, type=linux\nsize=16M, type=linux\n');
  const source = await attach(file);
  attached.push(source);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'lbrescue', source.part(1)]);
  await execa('dd', ['if=/dev/urandom', `of=${source.part(2)}`, 'bs=1M', 'count=16', 'status=none']);

  const image = path.join(dir, 'store', 'image');
  const dry = await lifeboat(['backup', source.device, image, '--dry-run']);
  t.is(dry.exitCode, 0, dry.stderr);
  t.regex(dry.stdout, /read errors: the backup stops at the first unreadable range and names it/);
  const dryRescue = await lifeboat(['backup', source.device, image, '--dry-run', '--rescue']);
  t.regex(dryRescue.stdout, /read errors: go on past them \(--rescue\): partclone reads a chunk that failed again sector by sector, once, with no further retries/);
  t.regex(dryRescue.stdout, /raw copies: GNU ddrescue .* one retry pass.* \(up to 16777216 bytes of staging\)/);

  const backup = await lifeboat(['backup', source.device, image, '--rescue', '--json']);
  t.is(backup.exitCode, 0, backup.stderr);
  const result = jsonLines(backup.stdout).pop()!;
  t.is(result['state'], 'complete');
  t.is(result['unreadable'], undefined);
  const files = await readdir(image);
  t.true(files.includes(`${source.name}p2-ddrescue.map`), files.join(' '));
  t.false(files.some((f) => f.includes('staging')), 'the staging file is gone');
  const manifest = JSON.parse(await readFile(path.join(image, 'lifeboat.json'), 'utf8'));
  t.is(manifest.state, 'complete');
  t.regex(manifest.rescue.policy, /sector by sector, once/);
  t.true(manifest.partitions.every((p: { unreadable?: unknown }) => p.unreadable === undefined));
  t.truthy(manifest.files[`${source.name}p2-ddrescue.map`], 'the mapfile is a checksummed file of the image');

  await makeSparse(path.join(dir, 'target.img'), 64);
  const target = await attach(path.join(dir, 'target.img'));
  attached.push(target);
  const restore = await lifeboat(['restore', image, target.device, '--yes']);
  t.is(restore.exitCode, 0, restore.stderr);
  t.notRegex(restore.stderr, /unreadable/);
  await sameDisk(t, source, target);
});

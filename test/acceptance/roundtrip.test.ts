// Acceptance 1: whole-disk backup and restore onto a blank, larger disk reproduce every file, id, GUID, type and the boot code.
import test from 'ava';
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat, jsonLines } from '../helpers/cli.js';
import { sameDisk } from '../helpers/assert.js';
import { makeGptSource, makeMbrSource, type SourceDisk } from '../helpers/fixtures.js';
import { attach, makeSparse, tempDir, type LoopDisk } from '../helpers/loop.js';

async function roundTrip(t: import('ava').ExecutionContext, make: (file: string) => Promise<SourceDisk>, targetMiB: number, backupArgs: string[] = []) {
  const dir = await tempDir();
  const attached: LoopDisk[] = [];
  t.teardown(async () => {
    for (const d of attached) await d.detach();
    await rm(dir, { recursive: true, force: true });
  });
  const source = await make(path.join(dir, 'source.img'));
  attached.push(source.disk);
  const image = path.join(dir, 'store', 'image');
  const backup = await lifeboat(['backup', source.disk.device, image, '--json', ...backupArgs]);
  t.is(backup.exitCode, 0, backup.stderr);
  const events = jsonLines(backup.stdout);
  t.truthy(events.find((e) => e['type'] === 'start'));
  t.true(events.filter((e) => e['type'] === 'partition-done').length >= 3);
  const progress = events.filter((e) => e['type'] === 'progress');
  t.true(progress.length > 0, 'progress events from partclone');
  for (const p of progress) t.true(typeof p['overallPercent'] === 'number' && (p['overallPercent'] as number) <= 100);
  t.is(events.find((e) => e['type'] === 'done')?.['image'], image);

  const verify = await lifeboat(['verify', image]);
  t.is(verify.exitCode, 0, verify.stderr);

  await makeSparse(path.join(dir, 'target.img'), targetMiB);
  const target = await attach(path.join(dir, 'target.img'));
  attached.push(target);
  const restore = await lifeboat(['restore', image, target.device, '--yes', '--json']);
  t.is(restore.exitCode, 0, restore.stderr);
  t.truthy(jsonLines(restore.stdout).find((e) => e['type'] === 'done'));

  await sameDisk(t, source.disk, target);
  return { source, target, image, dir };
}

test.serial('GPT disk (ESP FAT32, ext4 with 3000 files, xfs, NTFS, swap, unformatted) round-trips onto a larger disk', async (t) => {
  const { target } = await roundTrip(t, makeGptSource, 1000);
  // The backup GPT header sits at the end of the larger disk, and the GPT is valid.
  const { stdout } = await execa('sfdisk', ['--json', target.device]);
  const table = JSON.parse(stdout).partitiontable;
  t.is(table.lastlba, 1000 * 2048 - 34);
  const verify = await execa('sgdisk', ['-v', target.device]);
  t.regex(verify.stdout, /No problems found/);
  // Swap came back with its UUID and label.
  const swap = await execa('blkid', ['-p', '-o', 'export', target.part(5)]);
  t.regex(swap.stdout, /UUID=cccccccc-1111-4222-8333-444444444444/);
  t.regex(swap.stdout, /LABEL=lbswap/);
});

test.serial('MBR disk with an extended and logical partitions round-trips onto a larger disk', async (t) => {
  await roundTrip(t, makeMbrSource, 600);
});

test.serial('split and gzip: pieces of 1M named .aa, .ab … restore to the same content', async (t) => {
  const { image } = await roundTrip(t, makeMbrSource, 400, ['--compress', 'gzip', '--split', '1M']);
  const info = await lifeboat(['info', image, '--json']);
  const summary = JSON.parse(info.stdout);
  t.is(summary.compression.codec, 'gzip');
  const p1 = summary.partitions.find((p: { number: number }) => p.number === 1);
  t.true(p1.files >= 2, 'partition 1 is split into several pieces');
  const { readdir } = await import('node:fs/promises');
  const files = await readdir(image);
  t.true(files.some((f) => /p1\.ext4-ptcl-img\.gz\.aa$/.test(f)));
  t.true(files.some((f) => /p1\.ext4-ptcl-img\.gz\.ab$/.test(f)));
});

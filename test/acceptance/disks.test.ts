// lifeboat disks: identity, table, partitions, filesystems, usage and mount state, from the real tools; the live medium marked.
import test from 'ava';
import { execa } from 'execa';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { makeGptSource } from '../helpers/fixtures.js';
import { tempDir, withMount, type LoopDisk } from '../helpers/loop.js';

let dir: string;
let disk: LoopDisk;

test.before(async () => {
  dir = await tempDir();
  disk = (await makeGptSource(path.join(dir, 'src.img'))).disk;
});

test.after.always(async () => {
  await disk?.detach();
  await rm(dir, { recursive: true, force: true });
});

interface JsonDisk {
  device: string;
  tableType: string;
  sizeBytes: number;
  logicalSectorSize: number;
  backingFile: string;
  inUse: boolean;
  liveMedium: boolean;
  partitions: Array<{ number: number; start: number; size: number; type: string; uuid: string; fs: { type: string; label: string; uuid: string }; usedBytes?: number; mountpoints: string[] }>;
}

async function listed(): Promise<JsonDisk> {
  const r = await lifeboat(['disks', '--json']);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout).disks as JsonDisk[]).find((d) => d.device === disk.device)!;
}

test.serial('a GPT disk with every partition described', async (t) => {
  const d = await listed();
  t.like(d, { tableType: 'gpt', sizeBytes: 800 * 1024 * 1024, logicalSectorSize: 512, backingFile: path.join(dir, 'src.img'), inUse: false, liveMedium: false });
  t.deepEqual(d.partitions.map((p) => p.fs.type ?? null), ['vfat', 'ext4', 'xfs', 'ntfs', 'swap', null]);
  t.like(d.partitions[1], { number: 2, start: 133120, size: 409600, type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', uuid: '11111111-2222-4333-8444-555555555502', fs: { type: 'ext4', label: 'lbroot', uuid: 'aaaaaaaa-1111-4222-8333-444444444444' } });
  const used = d.partitions[1]!.usedBytes!;
  t.true(used > 40 * 1024 * 1024 && used < 120 * 1024 * 1024, `ext4 used bytes measured offline: ${used}`);
  t.true((d.partitions[2]!.usedBytes ?? 0) > 0, 'xfs used bytes measured offline');
  t.true((d.partitions[3]!.usedBytes ?? 0) > 0, 'ntfs used bytes measured offline');
  const human = await lifeboat(['disks']);
  t.regex(human.stdout, new RegExp(`${disk.device}\\s+800 MiB`));
  t.regex(human.stdout, /lbroot/);
});

test.serial('mounted partitions show their mount point; the disk is in use', async (t) => {
  await withMount(disk.part(2), async (mnt) => {
    const d = await listed();
    t.true(d.inUse);
    t.deepEqual(d.partitions[1]!.mountpoints, [mnt]);
  }, ['-o', 'ro']);
});

test.serial('the disk mounted at /run/live/medium is the live medium, and restore refuses it', async (t) => {
  const medium = '/run/live/medium';
  const existed = await execa('test', ['-d', medium], { reject: false }).then((r) => r.exitCode === 0);
  await mkdir(medium, { recursive: true });
  t.teardown(async () => {
    await execa('umount', [medium], { reject: false });
    if (!existed) await rmdir(medium).catch(() => undefined);
  });
  await execa('mount', ['-o', 'ro', disk.part(2), medium]);
  const d = await listed();
  t.true(d.liveMedium);
  const image = path.join(dir, 'img');
  await execa('umount', [medium]);
  t.is((await lifeboat(['backup', disk.device, image])).exitCode, 0);
  await execa('mount', ['-o', 'ro', disk.part(2), medium]);
  const refused = await lifeboat(['restore', image, disk.device, '--yes', '--dry-run']);
  t.is(refused.exitCode, 4);
  t.regex(refused.stderr, /in use|booted from/);
  t.regex(refused.stderr, new RegExp(`${disk.device} is the medium the live system booted from`));
});

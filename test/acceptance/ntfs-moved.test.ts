// An NTFS volume put back at another place than its source's: its boot sector's hidden sectors (where Windows' boot
// loader looks for the volume) names the new start, and the backup boot sector in the partition's last sector is
// the volume's own, as chkdsk and ntfsfix check; also for a whole-disk restore at the same place (partclone copies
// clusters only and leaves that sector blank). One source, one image, one target for all.
import test from 'ava';
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { GUID, treeHashes, writeFiles } from '../helpers/fixtures.js';
import { attach, makeSparse, partition, tempDir, withMount, type LoopDisk } from '../helpers/loop.js';
import { readBytes } from '../../imager/boot/sectors.js';

let dir: string;
let image: string;
let files: Record<string, string>;
const attached: LoopDisk[] = [];

async function startOf(device: string, n: number): Promise<number> {
  const t = JSON.parse((await execa('sfdisk', ['--json', device])).stdout).partitiontable;
  return t.partitions.find((q: { node: string }) => q.node.endsWith(`p${n}`)).start;
}

/** The boot sector's hidden sectors, and whether the partition's last sector holds the same boot sector. */
async function bootSectors(part: string): Promise<{ hidden: number; backupMatches: boolean }> {
  const boot = await readBytes(part, 0, 512);
  const total = Number(boot.readBigUInt64LE(0x28));
  const backup = await readBytes(part, total * 512, 512);
  return { hidden: boot.readUInt32LE(0x1c), backupMatches: backup.equals(boot) };
}

test.before(async () => {
  dir = await tempDir();
  const srcFile = path.join(dir, 'source.img');
  await makeSparse(srcFile, 160);
  await partition(srcFile, `label: gpt\nsize=16M, type=${GUID.linux}\nsize=80M, type=${GUID.msdata}, name="windows"\n`);
  const src = await attach(srcFile);
  attached.push(src);
  await execa('mkfs.ext4', ['-q', '-F', src.part(1)]);
  // -p: the start mkntfs records as hidden sectors (it cannot ask a loop partition for it).
  await execa('mkntfs', ['-Q', '-q', '-F', '-L', 'moved', '-p', String(await startOf(src.device, 2)), '-H', '255', '-S', '63', src.part(2)]);
  await withMount(src.part(2), (d) => writeFiles(d, 150, 'nt'), ['-t', 'ntfs-3g']);
  files = await withMount(src.part(2), treeHashes, ['-t', 'ntfs-3g', '-o', 'ro']);
  const s = await bootSectors(src.part(2));
  if (s.hidden !== (await startOf(src.device, 2)) || !s.backupMatches) throw new Error(`the source's NTFS is not as Windows makes it: ${JSON.stringify(s)}`);
  image = path.join(dir, 'image');
  const r = await lifeboat(['backup', src.device, image]);
  if (r.exitCode !== 0) throw new Error(r.stderr);
});

test.after.always(async () => {
  for (const d of attached) await d.detach();
  await rm(dir, { recursive: true, force: true });
});

test('restore --partition onto a partition at another start: hidden sectors name it, the backup boot sector is the volume\'s, ntfsfix finds nothing', async (t) => {
  const file = path.join(dir, 'other.img');
  await makeSparse(file, 200);
  await partition(file, `label: gpt\nsize=40M, type=${GUID.linux}\nsize=7M, type=${GUID.linux}\nsize=90M, type=${GUID.msdata}\n`);
  const target = await attach(file);
  attached.push(target);
  const r = await lifeboat(['restore', image, target.device, '--partition', '2:3', '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  const start = await startOf(target.device, 3);
  t.not(start, 16 * 2048 + 2048, 'the partition really moved');
  t.deepEqual(await bootSectors(target.part(3)), { hidden: start, backupMatches: true });
  const fix = await execa('ntfsfix', ['-n', target.part(3)], { reject: false });
  t.is(fix.exitCode, 0, fix.stdout + fix.stderr);
  t.deepEqual(await withMount(target.part(3), treeHashes, ['-t', 'ntfs-3g', '-o', 'ro']), files);
});

test('a whole-disk restore at the same place puts the backup boot sector back (partclone leaves it blank)', async (t) => {
  const file = path.join(dir, 'same.img');
  await makeSparse(file, 160);
  const target = await attach(file);
  attached.push(target);
  const r = await lifeboat(['restore', image, target.device, '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(await bootSectors(target.part(2)), { hidden: await startOf(target.device, 2), backupMatches: true });
  const fix = await execa('ntfsfix', ['-n', target.part(2)], { reject: false });
  t.is(fix.exitCode, 0, fix.stdout + fix.stderr);
});

// Searching attached disks for images writes nothing to them: real loop disks with an ext4 whose journal needs
// recovery, an XFS with a dirty log, a clean btrfs and an ext4 that was read-only already. The Restore screen's
// search (the backend's findImages) runs; every disk's SHA-256 and every partition's ro flag are as before. A control
// shows that today's plain `ro` mount does write to the same disk (so the fixture is really dirty).
import test from 'ava';
import { execa } from 'execa';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../../../core/runner/run.js';
import { imagerBackend } from '../../../rescue-ui/backend/imager-backend.js';
import { attach, fileHash, makeSparse, partition, scratch, tempDir, type LoopDisk } from '../../helpers/loop.js';

const getro = async (dev: string) => (await execa('blockdev', ['--getro', dev])).stdout.trim();

/** Mounts dev rw, runs fn on the directory, then shuts the filesystem down with its log flushed: a crash after a commit. */
async function crashAfterWriting(dev: string, fn: (dir: string) => Promise<void>, options: string[] = []): Promise<void> {
  const dir = await tempDir('lifeboat-dirty-');
  await execa('mount', [...options, dev, dir]);
  try {
    await fn(dir);
    await execa('sync', ['-f', dir]);
    // FS_IOC_SHUTDOWN (ext4 and XFS share it): the journal/log holds committed transactions that were never
    // checkpointed, and the filesystem is left marked as needing recovery.
    await execa('xfs_io', ['-x', '-c', 'shutdown -f', dir]);
  } finally {
    await execa('umount', [dir]);
    await execa('rmdir', [dir]);
  }
}

async function withRwMount(dev: string, fn: (dir: string) => Promise<void>, options: string[] = []): Promise<void> {
  const dir = await tempDir('lifeboat-mnt-');
  await execa('mount', [...options, dev, dir]);
  try {
    await fn(dir);
  } finally {
    await execa('umount', [dir]);
    await execa('rmdir', [dir]);
  }
}

const writeSome = (tag: string) => async (dir: string) => {
  await execa('sh', ['-c', `for i in $(seq 1 200); do echo ${tag}-$i > "$1/${tag}-$i"; done; mkdir -p "$1/more"; cp -r /usr/share/doc/util-linux "$1/more/"`, 'sh', dir]);
};

const putImage = (name: string) => async (dir: string) => {
  await execa('mkdir', ['-p', path.join(dir, name)]);
  await execa('touch', [path.join(dir, name, 'disk'), path.join(dir, name, 'parts')]);
};

/** A GPT disk: 1 ext4 (journal needs recovery), 2 xfs (dirty log), 3 btrfs (clean), 4 ext4 (clean), each with an image folder. */
async function makeDirtyDisk(file: string, attached: LoopDisk[]): Promise<LoopDisk> {
  await makeSparse(file, 620);
  await partition(file, 'label: gpt\nsize=64M, type=linux\nsize=320M, type=linux\nsize=160M, type=linux\ntype=linux');
  const disk = await attach(file);
  attached.push(disk);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'dirtyext4', disk.part(1)]);
  await execa('mkfs.xfs', ['-q', '-f', '-L', 'dirtyxfs', disk.part(2)]);
  await execa('mkfs.btrfs', ['-q', '-f', '-L', 'cleanbtrfs', disk.part(3)]);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'cleanext4', disk.part(4)]);
  // The image folders are written and checkpointed first (a clean unmount), then more work is left in the journal.
  for (const n of [1, 2, 3, 4]) await withRwMount(disk.part(n), putImage(`img-${n}`));
  await crashAfterWriting(disk.part(1), writeSome('ext4'));
  await crashAfterWriting(disk.part(2), writeSome('xfs'));
  const dump = (await execa('dumpe2fs', ['-h', disk.part(1)])).stdout;
  if (!/needs_recovery/.test(dump)) throw new Error('the ext4 fixture does not need recovery');
  return disk;
}

test('the Restore screen\'s search leaves every disk byte and ro flag as it was, dirty journals included', async (t) => {
  const { dir, attached } = await scratch(t);
  const file = path.join(dir, 'dirty.img');
  const disk = await makeDirtyDisk(file, attached);
  // Partition 4 was read-only before the search: it stays so. The others are read-write and come back so.
  await execa('blockdev', ['--setro', disk.part(4)]);
  const flags = async () => Promise.all([1, 2, 3, 4].map((n) => getro(disk.part(n))));
  t.deepEqual(await flags(), ['0', '0', '0', '1']);

  // The control: a copy of the same disk, mounted with today's plain `ro`, is written (journal replay, log recovery).
  const copy = path.join(dir, 'copy.img');
  await copyFile(file, copy);
  const twin = await attach(copy);
  attached.push(twin);
  const copyBefore = await fileHash(copy);
  await withRwMount(twin.part(1), async () => undefined, ['-o', 'ro']);
  const afterExt4 = await fileHash(copy);
  t.not(afterExt4, copyBefore, "a plain ro mount replays ext4's journal");
  await withRwMount(twin.part(2), async () => undefined, ['-o', 'ro,nouuid']);
  t.not(await fileHash(copy), afterExt4, "a plain ro mount recovers XFS's log");
  await twin.detach();

  const before = await fileHash(file);
  const commands: string[] = [];
  const runner = new Runner((e) => commands.push(e.command));
  const backend = imagerBackend(runner, { onlyDisks: [disk.device] });
  try {
    const found = await backend.findImages();
    // Each store was mounted and read: the image folder of every partition is found.
    t.deepEqual(found.map((f) => [f.store, f.path]).sort(), [1, 2, 3, 4].map((n) => [disk.part(n), `img-${n}`]));
  } finally {
    await backend.close();
  }
  t.is(await fileHash(file), before, 'the search wrote nothing to the disk');
  t.deepEqual(await flags(), ['0', '0', '0', '1'], 'every ro flag is back to what it was');
  // And the mounts were really read-only with no replay: the journal still needs recovery.
  t.regex((await execa('dumpe2fs', ['-h', disk.part(1)])).stdout, /needs_recovery/);
  // Through the one mount path: marked read-only first, then mounted with the no-replay options.
  for (const [n, options] of [[1, 'ro,noload'], [2, 'ro,norecovery,nouuid'], [3, 'ro,rescue=nologreplay'], [4, 'ro,noload']] as const) {
    const mount = commands.findIndex((c) => c.startsWith(`mount -o ${options} ${disk.part(n)} `));
    t.true(mount >= 0, `partition ${n} mounted with ${options}`);
    if (n !== 4) t.true(commands.indexOf(`blockdev --setro ${disk.part(n)}`) >= 0 && commands.indexOf(`blockdev --setro ${disk.part(n)}`) < mount);
  }
  t.false(commands.includes(`blockdev --setrw ${disk.part(4)}`), 'a device that was read-only before is not made writable');
});

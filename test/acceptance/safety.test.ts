// Acceptance 5: restore refuses a mounted disk, a too-small disk and the disk holding the image; the disk stays untouched.
import test from 'ava';
import { execa } from 'execa';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { makeMbrSource } from '../helpers/fixtures.js';
import { attach, fileHash, makeSparse, partition, tempDir, withMount, type LoopDisk } from '../helpers/loop.js';


let dir: string;
let image: string;
const attached: LoopDisk[] = [];

test.before(async () => {
  dir = await tempDir();
  const src = await makeMbrSource(path.join(dir, 'src.img'));
  attached.push(src.disk);
  image = path.join(dir, 'image');
  const r = await lifeboat(['backup', src.disk.device, image]);
  if (r.exitCode !== 0) throw new Error(r.stderr);
});

test.after.always(async () => {
  for (const d of attached) await d.detach();
  await rm(dir, { recursive: true, force: true });
});

async function formattedDisk(name: string, mib: number): Promise<LoopDisk> {
  const file = path.join(dir, name);
  await makeSparse(file, mib);
  await partition(file, 'label: dos\ntype=83\n');
  const d = await attach(file);
  attached.push(d);
  await execa('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', d.part(1)]);
  return d;
}

test.serial('a mounted disk is refused and untouched', async (t) => {
  const d = await formattedDisk('mounted.img', 600);
  // Mounted read-only, so that the filesystem itself does not write while the test compares bytes.
  await withMount(d.part(1), async (mnt) => {
    const before = await fileHash(d.file);
    const r = await lifeboat(['restore', image, d.device, '--yes']);
    t.is(r.exitCode, 4, r.stderr);
    t.regex(r.stderr, new RegExp(`lifeboat: ${d.device} is in use \\(${d.part(1)} on ${mnt}\\); unmount it first`));
    t.is(await fileHash(d.file), before);
  }, ['-o', 'ro']);
});

test.serial('a disk too small for the image is refused and untouched', async (t) => {
  const d = await formattedDisk('small.img', 200);
  const before = await fileHash(d.file);
  const r = await lifeboat(['restore', image, d.device, '--yes']);
  t.is(r.exitCode, 4, r.stderr);
  t.regex(r.stderr, /is too small: 209715200 bytes, the image needs \d+ bytes/);
  t.is(await fileHash(d.file), before);
});

test.serial('the disk that holds the image is refused and untouched', async (t) => {
  const d = await formattedDisk('store.img', 700);
  await withMount(d.part(1), async (mnt) => {
    await mkdir(path.join(mnt, 'images'));
    await execa('cp', ['-a', image, path.join(mnt, 'images', 'copy')]);
    // Read-only from here, so that reading the image (atime) does not change the disk under the test.
    await execa('mount', ['-o', 'remount,ro', mnt]);
    const before = await fileHash(d.file);
    const r = await lifeboat(['restore', path.join(mnt, 'images', 'copy'), d.device, '--yes']);
    t.is(r.exitCode, 4, r.stderr);
    t.regex(r.stderr, new RegExp(`${d.device} holds the image itself`));
    t.is(await fileHash(d.file), before);
  });
});

test.serial('without --yes and without a terminal to ask, nothing is written', async (t) => {
  const d = await formattedDisk('unconfirmed.img', 600);
  const before = await fileHash(d.file);
  const r = await lifeboat(['restore', image, d.device]);
  t.is(r.exitCode, 4, r.stderr);
  t.regex(r.stderr, /not confirmed: nothing was written/);
  t.is(await fileHash(d.file), before);
});

test.serial('backup refuses a source whose partitions are mounted, and an existing image directory', async (t) => {
  const d = await formattedDisk('busy.img', 100);
  await withMount(d.part(1), async () => {
    const r = await lifeboat(['backup', d.device, path.join(dir, 'busy-image')]);
    t.is(r.exitCode, 4, r.stderr);
    t.regex(r.stderr, /is mounted on .*; unmount it first/);
  });
  const again = await lifeboat(['backup', d.device, image]);
  t.is(again.exitCode, 4);
  t.regex(again.stderr, /already exists/);
});

test.serial('in a terminal, restore asks to type the disk name: a wrong name writes nothing', async (t) => {
  const pty = await import('node-pty');
  const { lifeboatBin } = await import('../helpers/cli.js');
  const d = await formattedDisk('typed.img', 600);
  const before = await fileHash(d.file);
  const term = pty.spawn('node', [lifeboatBin, 'restore', image, d.device], { name: 'xterm', cols: 120, rows: 30, env: process.env as Record<string, string> });
  let out = '';
  let answered = false;
  term.onData((chunk) => {
    out += chunk;
    if (!answered && /Type loop\d+ to go on:/.test(out)) {
      answered = true;
      term.write('sda\r');
    }
  });
  const code = await new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
  t.true(answered, out);
  t.regex(out, /write the dos partition table/);
  t.is(code, 4);
  t.regex(out, /not confirmed: nothing was written/);
  t.is(await fileHash(d.file), before);
});

// Acceptance 6: bad input gets one clear line (plus a hint), a documented exit code, and never a stack trace.
import test from 'ava';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { oneClearLine } from '../helpers/assert.js';
import { lifeboat } from '../helpers/cli.js';
import { attach, makeSparse, partition, tempDir, type LoopDisk } from '../helpers/loop.js';

let dir: string;
let disk: LoopDisk;

test.before(async () => {
  dir = await tempDir();
  await makeSparse(path.join(dir, 'd.img'), 64);
  await partition(path.join(dir, 'd.img'), 'label: dos\nsize=32M, type=83\n');
  disk = await attach(path.join(dir, 'd.img'));
  await mkdir(path.join(dir, 'not-an-image'));
  await writeFile(path.join(dir, 'not-an-image', 'notes.txt'), 'hello');
});

test.after.always(async () => {
  await disk?.detach();
  await rm(dir, { recursive: true, force: true });
});

test('a missing disk: exit 3', async (t) => {
  const r = await lifeboat(['backup', '/dev/lifeboat-no-such-disk', path.join(dir, 'img')]);
  t.is(r.exitCode, 3);
  oneClearLine(t, r.stderr, /no such disk: \/dev\/lifeboat-no-such-disk/);
});

test('a partition where a disk is expected: exit 2, names the disk', async (t) => {
  const r = await lifeboat(['backup', disk.part(1), path.join(dir, 'img')]);
  t.is(r.exitCode, 2);
  oneClearLine(t, r.stderr, /is a partition, not a whole disk/);
  t.regex(r.stderr, new RegExp(`give the disk it is on: ${disk.device}`));
  const r2 = await lifeboat(['restore', path.join(dir, 'not-an-image'), disk.part(1), '--yes']);
  t.not(r2.exitCode, 0);
});

test('a regular file where a disk is expected: exit 2', async (t) => {
  const r = await lifeboat(['backup', path.join(dir, 'd.img'), path.join(dir, 'img')]);
  t.is(r.exitCode, 2);
  oneClearLine(t, r.stderr, /not a block device/);
});

test('a directory that is not an image: exit 5 for verify, info and restore', async (t) => {
  for (const args of [['verify', path.join(dir, 'not-an-image')], ['info', path.join(dir, 'not-an-image')], ['restore', path.join(dir, 'not-an-image'), disk.device, '--yes']]) {
    const r = await lifeboat(args);
    t.is(r.exitCode, 5, args.join(' '));
    oneClearLine(t, r.stderr, /is not a Lifeboat or Clonezilla disk image/);
  }
});

test('a missing image directory: exit 3', async (t) => {
  const r = await lifeboat(['info', path.join(dir, 'nothing-here')]);
  t.is(r.exitCode, 3);
  oneClearLine(t, r.stderr, /no such image directory/);
});

test('an unknown compression: exit 2, lists the choices', async (t) => {
  const r = await lifeboat(['backup', disk.device, path.join(dir, 'img'), '--compress', 'lz77']);
  t.is(r.exitCode, 2);
  oneClearLine(t, r.stderr, /unknown compression 'lz77'/);
  t.regex(r.stderr, /zstd, gzip, xz, none/);
});

test('a bad level or split size: exit 2', async (t) => {
  const a = await lifeboat(['backup', disk.device, path.join(dir, 'img'), '--level', '42']);
  t.is(a.exitCode, 2);
  oneClearLine(t, a.stderr, /level 42 is out of range for zstd/);
  const b = await lifeboat(['backup', disk.device, path.join(dir, 'img'), '--split', 'lots']);
  t.is(b.exitCode, 2);
  oneClearLine(t, b.stderr, /'lots' is not a size/);
});

test('an unknown command or a missing argument: exit 2', async (t) => {
  const a = await lifeboat(['frobnicate']);
  t.is(a.exitCode, 2);
  t.notRegex(a.stderr, /^\s+at /m);
  const b = await lifeboat(['restore', path.join(dir, 'not-an-image')]);
  t.is(b.exitCode, 2);
  t.notRegex(b.stderr, /^\s+at /m);
});

test('--json errors are one JSON line on stdout with kind and exit code', async (t) => {
  const r = await lifeboat(['verify', path.join(dir, 'not-an-image'), '--json']);
  t.is(r.exitCode, 5);
  const e = JSON.parse(r.stdout.trim().split('\n').pop()!);
  t.is(e.type, 'error');
  t.is(e.kind, 'invalid-image');
  t.is(e.exitCode, 5);
});

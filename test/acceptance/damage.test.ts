// Acceptance 4: a damaged, interrupted or out-of-space image never passes for a complete one, and restore writes nothing from it.
import test from 'ava';
import { execa } from 'execa';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lifeboat, lifeboatBin } from '../helpers/cli.js';
import { makeGptSource, makeMbrSource } from '../helpers/fixtures.js';
import { attach, fileHash, makeSparse, scratch, withMount } from '../helpers/loop.js';


const setup = scratch;

test.serial('one flipped byte: verify names the file, restore refuses before writing the target', async (t) => {
  const { dir, attached } = await setup(t);
  const src = await makeMbrSource(path.join(dir, 'src.img'));
  attached.push(src.disk);
  const image = path.join(dir, 'image');
  t.is((await lifeboat(['backup', src.disk.device, image])).exitCode, 0);
  const victim = (await readdir(image)).find((f) => /p5\.ext4-ptcl-img\.zst$/.test(f))!;
  const fh = await open(path.join(image, victim), 'r+');
  const at = Math.floor((await fh.stat()).size / 2);
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, at);
  b[0] = b[0]! ^ 0xff;
  await fh.write(b, 0, 1, at);
  await fh.close();

  const verify = await lifeboat(['verify', image]);
  t.is(verify.exitCode, 5);
  t.regex(verify.stderr, new RegExp(`image file ${victim.replace(/\./g, '\\.')} is damaged`));

  await makeSparse(path.join(dir, 'target.img'), 500);
  await execa('dd', ['if=/dev/urandom', `of=${path.join(dir, 'target.img')}`, 'bs=1M', 'count=2', 'conv=notrunc', 'status=none']);
  const target = await attach(path.join(dir, 'target.img'));
  attached.push(target);
  const before = await fileHash(target.file);
  const restore = await lifeboat(['restore', image, target.device, '--yes']);
  t.is(restore.exitCode, 5);
  t.regex(restore.stderr, new RegExp(victim.replace(/\./g, '\\.')));
  t.is(await fileHash(target.file), before, 'the target is byte-for-byte untouched');
});

test.serial('a backup killed with SIGKILL midway leaves nothing that passes for a complete image; the next one takes over its locks', async (t) => {
  const { dir, attached } = await setup(t);
  const src = await makeGptSource(path.join(dir, 'src.img'));
  attached.push(src.disk);
  const image = path.join(dir, 'store', 'image');
  const partial = path.join(dir, 'store', '.image.lifeboat-partial');
  const child = execa('node', [lifeboatBin, 'backup', src.disk.device, image], { reject: false });
  // Wait until partition images are being written, then kill it without warning.
  for (let i = 0; i < 600; i++) {
    const files = await readdir(partial).catch(() => [] as string[]);
    if (files.some((f) => /p2\.ext4-ptcl-img/.test(f))) break;
    await sleep(50);
  }
  child.kill('SIGKILL');
  await child;
  await sleep(500); // partclone and zstd die of the closed terminal and pipe
  await t.throwsAsync(stat(image), undefined, 'the image never got its final name');
  t.true((await readdir(partial)).includes('lifeboat.json'), 'the partial directory says what it is');
  for (const args of [['info', partial], ['verify', partial]]) {
    const r = await lifeboat(args);
    t.is(r.exitCode, 5, args[0]);
    t.regex(r.stderr, /incomplete image/);
  }
  const target = await attach(await makeSparse(path.join(dir, 't.img'), 1000).then(() => path.join(dir, 't.img')));
  attached.push(target);
  const before = await fileHash(target.file);
  const r = await lifeboat(['restore', partial, target.device, '--yes']);
  t.is(r.exitCode, 5);
  t.is(await fileHash(target.file), before);
  const missing = await lifeboat(['info', image]);
  t.is(missing.exitCode, 3);
  // The killed backup's locks stay behind (its process is gone): the next backup of that disk to that image takes
  // them over, replaces the partial folder and completes.
  const again = await lifeboat(['backup', src.disk.device, image]);
  t.is(again.exitCode, 0, again.stderr);
  t.is((await lifeboat(['verify', image])).exitCode, 0);
  await t.throwsAsync(stat(partial));
});

test.serial('a destination that fills up: clear error, exit 6, partial files removed', async (t) => {
  const { dir, attached } = await setup(t);
  const src = await makeGptSource(path.join(dir, 'src.img'));
  attached.push(src.disk);
  // The store: a small ext4 filesystem with room for the plan's check, filled by someone else once the backup runs.
  await makeSparse(path.join(dir, 'store.img'), 400);
  await execa('mkfs.ext4', ['-q', '-F', '-m', '0', path.join(dir, 'store.img')]);
  const storeDev = (await execa('losetup', ['-f', '--show', path.join(dir, 'store.img')])).stdout.trim();
  t.teardown(() => execa('losetup', ['-d', storeDev], { reject: false }).then(() => undefined));
  await withMount(storeDev, async (store) => {
    const image = path.join(store, 'image');
    const partial = path.join(store, '.image.lifeboat-partial');
    const child = execa('node', [lifeboatBin, 'backup', src.disk.device, image], { reject: false });
    for (let i = 0; i < 600; i++) {
      if ((await readdir(partial).catch(() => [] as string[])).length > 0) break;
      await sleep(20);
    }
    // Leave about 1 MiB free: the backup runs into a full disk.
    const df = await execa('df', ['-B1', '--output=avail', store]);
    const avail = Number(df.stdout.split('\n')[1]);
    await execa('fallocate', ['-l', String(avail - 1024 * 1024), path.join(store, 'filler')]);
    const r = await child;
    t.is(r.exitCode, 6, String(r.stderr));
    t.regex(String(r.stderr), /lifeboat: the destination is full/);
    t.deepEqual((await readdir(store)).sort(), ['filler', 'lost+found'], 'partial files removed');
  });
});

test.serial('a store without room for the used bytes is refused before the first byte: exit 6, nothing written', async (t) => {
  const { dir, attached } = await setup(t);
  const src = await makeGptSource(path.join(dir, 'src.img'));
  attached.push(src.disk);
  await makeSparse(path.join(dir, 'store.img'), 64);
  await execa('mkfs.ext4', ['-q', '-F', '-m', '0', path.join(dir, 'store.img')]);
  const storeDev = (await execa('losetup', ['-f', '--show', path.join(dir, 'store.img')])).stdout.trim();
  t.teardown(() => execa('losetup', ['-d', storeDev], { reject: false }).then(() => undefined));
  await withMount(storeDev, async (store) => {
    const r = await lifeboat(['backup', src.disk.device, path.join(store, 'image')]);
    t.is(r.exitCode, 6);
    t.regex(r.stderr, /lifeboat: not enough free space at .*: \d+ bytes free, the source uses \d+ bytes/);
    t.deepEqual(await readdir(store), ['lost+found']);
  });
});

test.serial('SIGTERM midway: exit 130, the partial image removed, the disk untouched', async (t) => {
  const { dir, attached } = await setup(t);
  const src = await makeGptSource(path.join(dir, 'src.img'));
  attached.push(src.disk);
  const image = path.join(dir, 'store', 'image');
  const partial = path.join(dir, 'store', '.image.lifeboat-partial');
  const child = execa('node', [lifeboatBin, 'backup', src.disk.device, image], { reject: false });
  for (let i = 0; i < 600; i++) {
    if ((await readdir(partial).catch(() => [] as string[])).some((f) => /ptcl-img/.test(f))) break;
    await sleep(50);
  }
  child.kill('SIGTERM');
  const r = await child;
  t.is(r.exitCode, 130, String(r.stderr));
  t.regex(String(r.stderr), /backup interrupted; the partial image was removed/);
  await t.throwsAsync(stat(partial));
  await t.throwsAsync(stat(image));
});

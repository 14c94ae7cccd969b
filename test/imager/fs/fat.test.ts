// FAT: the boot sector read, used bytes from fsck.fat, and the shrink by a copy (real mkfs.fat, mtools and fsck.fat
// on image files: no mount, no loop device).
import test from 'ava';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../../../core/runner/run.js';
import { fatUsage, mkfsFatArgs, parseFatBootSector, parseFsckFatUsage, readHead, shrinkFat } from '../../../imager/fs/fat.js';
import { tempDir } from '../../helpers/loop.js';

const MiB = 1024 * 1024;
const runner = new Runner();

const head = readHead;

async function fat(file: string, mib: number, args: string[]): Promise<void> {
  await rm(file, { force: true });
  await truncate(await writeFile(file, '').then(() => file), mib * MiB);
  await execa('mkfs.fat', [...args, file]);
}

/** Every file of a FAT image: path -> sha256, through mtools (mcopy to a host folder). */
async function contents(image: string, dir: string): Promise<Record<string, string>> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  await execa('mcopy', ['-s', '-n', '-i', image, '::/', dir], { env: { MTOOLS_SKIP_CHECK: '1' } }).catch(async () => {
    // mcopy of the root itself is refused by some mtools: copy each root entry instead.
    const { stdout } = await execa('mdir', ['-b', '-a', '-i', image, '::/']);
    for (const e of stdout.split('\n').filter((l) => l.startsWith('::/'))) await execa('mcopy', ['-s', '-n', '-i', image, e.replace(/\/$/, ''), dir]);
  });
  const out: Record<string, string> = {};
  const { stdout } = await execa('find', [dir, '-type', 'f', '-printf', '%P\\n']);
  for (const f of stdout.split('\n').filter(Boolean).sort()) out[f] = createHash('sha256').update(await readFile(path.join(dir, f))).digest('hex');
  return out;
}

test('the boot sector: type from the cluster count, serial, cluster size, FATs, media, root entries, hidden sectors', async (t) => {
  const dir = await tempDir('lifeboat-fat-');
  try {
    const f32 = path.join(dir, 'f32.img');
    await fat(f32, 100, ['-F', '32', '-i', '0BADF00D', '-n', 'DATA', '-s', '2', '-h', '2048']);
    t.deepEqual(parseFatBootSector(await head(f32)), { bytesPerSector: 512, sectorsPerCluster: 2, reservedSectors: 32, fats: 2, rootEntries: 0, media: 0xf8, hiddenSectors: 2048, bits: 32, serial: '0BADF00D' });
    const f16 = path.join(dir, 'f16.img');
    await fat(f16, 20, ['-F', '16', '-i', '00C0FFEE', '-f', '1', '-r', '256']);
    t.like(parseFatBootSector(await head(f16)), { bits: 16, serial: '00C0FFEE', fats: 1, rootEntries: 256 });
    t.is(parseFatBootSector(Buffer.alloc(512)), undefined);
    // mkfs.fat reads its own options back to the same boot sector.
    const again = path.join(dir, 'again.img');
    await truncate(await writeFile(again, '').then(() => again), 100 * MiB);
    await execa('mkfs.fat', mkfsFatArgs(parseFatBootSector(await head(f32))!, 'DATA', 2048, again, true));
    t.deepEqual(parseFatBootSector(await head(again)), parseFatBootSector(await head(f32)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('used bytes: used clusters times the cluster size, as fsck.fat -n -v counts them', async (t) => {
  t.is(parseFsckFatUsage('      4096 bytes per cluster\n/dev/sdb1: 51 files, 1251/76643 clusters\n'), 1251 * 4096);
  t.is(parseFsckFatUsage('nothing'), undefined);
  const dir = await tempDir('lifeboat-fat-');
  try {
    const img = path.join(dir, 'u.img');
    await fat(img, 100, ['-F', '32', '-s', '1']);
    const empty = (await fatUsage(runner, img))!;
    await writeFile(path.join(dir, 'big'), Buffer.alloc(10 * MiB, 7));
    await execa('mcopy', ['-i', img, path.join(dir, 'big'), '::/big']);
    t.is((await fatUsage(runner, img))! - empty, 10 * MiB, 'ten MiB more in use, in whole 512-byte clusters');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('shrunk by a copy: the same type, serial, label and cluster size; every file, long name, attribute and time; a clean FAT', async (t) => {
  const dir = await tempDir('lifeboat-fat-');
  try {
    const staging = path.join(dir, 'staging.img');
    await fat(staging, 200, ['-F', '32', '-i', '5EED1234', '-n', 'CAMERA', '-s', '4', '-h', '63']);
    const src = path.join(dir, 'src');
    await mkdir(path.join(src, 'DCIM/100 Holiday pictures'), { recursive: true });
    for (let i = 0; i < 40; i++) await writeFile(path.join(src, 'DCIM/100 Holiday pictures', `Picture number ${i}.jpeg`), createHash('sha512').update(String(i)).digest().toString('hex').repeat(400 + i));
    await writeFile(path.join(src, 'Grüße aus Köln.txt'), 'non-ASCII long name\n');
    await writeFile(path.join(src, 'SECRET.SYS'), 'hidden and system\n');
    await execa('touch', ['-d', '2019-05-06 07:08:10', path.join(src, 'SECRET.SYS')]);
    for (const e of ['DCIM', 'Grüße aus Köln.txt', 'SECRET.SYS']) await execa('mcopy', ['-s', '-m', '-i', staging, path.join(src, e), '::/']);
    await execa('mmd', ['-i', staging, '::/Empty folder']);
    await execa('mattrib', ['-i', staging, '+h', '+s', '+r', '::/SECRET.SYS']);
    const want = await contents(staging, path.join(dir, 'want'));
    const wantAttrs = (await execa('mattrib', ['-/', '-i', staging, '::/'])).stdout;
    const wantDir = (await execa('mdir', ['-/', '-a', '-i', staging, '::/'])).stdout.replace(/^.*bytes free$/m, '');

    const target = path.join(dir, 'target.img');
    await truncate(await writeFile(target, '').then(() => target), 60 * MiB);
    await shrinkFat.shrink(runner, { staging, target, bytes: 60 * MiB });
    const blkid = async (f: string) => (await execa('blkid', ['-p', '-o', 'export', f])).stdout.split('\n').filter((l) => /^(TYPE|UUID|LABEL|VERSION)=/.test(l));
    t.deepEqual(await blkid(target), await blkid(staging), 'type, serial (UUID), label, FAT32');
    // 2 KiB clusters would give a FAT32 of 60 MiB too few clusters (under 65525): mkfs.fat chose 512-byte ones.
    t.like(parseFatBootSector(await head(target)), { bits: 32, sectorsPerCluster: 1, serial: '5EED1234', hiddenSectors: 63 });
    // Where the cluster size fits, it is kept.
    const roomy = path.join(dir, 'roomy.img');
    await truncate(await writeFile(roomy, '').then(() => roomy), 160 * MiB);
    await shrinkFat.shrink(runner, { staging, target: roomy, bytes: 160 * MiB });
    t.like(parseFatBootSector(await head(roomy)), { bits: 32, sectorsPerCluster: 4 });
    t.deepEqual(await contents(target, path.join(dir, 'got')), want, 'every file');
    t.true(Object.keys(want).includes('Grüße aus Köln.txt'), 'the non-ASCII long name');
    t.is((await execa('mattrib', ['-/', '-i', target, '::/'])).stdout, wantAttrs, 'attributes (hidden, system, read-only, archive)');
    t.is((await execa('mdir', ['-/', '-a', '-i', target, '::/'])).stdout.replace(/^.*bytes free$/m, ''), wantDir, 'names, 8.3 aliases, sizes, modification times');
    await t.notThrowsAsync(execa('fsck.fat', ['-n', target]));

    // A partition too small for the files: the copy fails with its hint, never a FAT that looks complete.
    const tiny = path.join(dir, 'tiny.img');
    await truncate(await writeFile(tiny, '').then(() => tiny), 34 * MiB);
    await execa('mcopy', ['-i', staging, path.join(dir, 'want', 'DCIM', '100 Holiday pictures', 'Picture number 1.jpeg'), '::/filler']);
    await writeFile(path.join(dir, 'big'), Buffer.alloc(40 * MiB, 1));
    await execa('mcopy', ['-i', staging, path.join(dir, 'big'), '::/big']);
    await t.throwsAsync(shrinkFat.shrink(runner, { staging, target: tiny, bytes: 34 * MiB }), { message: /mcopy|do not fit/ });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// Test helper: builds real source disks (GPT and MBR, real filesystems, real files) and fingerprints disks for comparison.
import { execa } from 'execa';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, writeFile, readlink, lstat } from 'node:fs/promises';
import path from 'node:path';
import { attach, makeSparse, partition, withMount, type LoopDisk } from './loop.js';

export const GUID = {
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  linux: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
  msdata: 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7',
  swap: '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F',
  biosBoot: '21686148-6449-6E6F-744E-656564454649',
};

/** Writes `count` files with content derived from their names into dir, in nested folders. */
export async function writeFiles(dir: string, count: number, prefix = 'f'): Promise<void> {
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `d${i % 37}`, `e${i % 5}`);
    await mkdir(sub, { recursive: true });
    const size = 100 + ((i * 7919) % 20000);
    const body = Buffer.alloc(size, `${prefix}${i}-lifeboat-`);
    await writeFile(path.join(sub, `${prefix}${i}.txt`), body);
  }
  await writeFile(path.join(dir, 'random.bin'), randomBytes(3 * 1024 * 1024));
}

/** MBR boot code that is not all zeros, so restoring it is observable. */
export async function writeBootCode(file: string): Promise<void> {
  const code = Buffer.alloc(440);
  for (let i = 0; i < code.length; i++) code[i] = (i * 31 + 7) & 0xff;
  const fh = await import('node:fs/promises').then((m) => m.open(file, 'r+'));
  try {
    await fh.write(code, 0, code.length, 0);
  } finally {
    await fh.close();
  }
}

async function fillRandom(device: string, mib: number): Promise<void> {
  await execa('dd', ['if=/dev/urandom', `of=${device}`, 'bs=1M', `count=${mib}`, 'status=none', 'conv=fsync']);
}

async function fatFiles(device: string): Promise<void> {
  const env = { MTOOLS_SKIP_CHECK: '1' };
  await execa('mmd', ['-i', device, '::/EFI', '::/EFI/BOOT'], { env });
  const tmp = `/tmp/lifeboat-fat-${process.pid}-${Date.now()}`;
  await writeFile(tmp, Buffer.alloc(200_000, 'bootx64-efi-'));
  await execa('mcopy', ['-i', device, tmp, '::/EFI/BOOT/BOOTX64.EFI'], { env });
  await writeFile(tmp, 'menuentry lifeboat {}\n');
  await execa('mcopy', ['-i', device, tmp, '::/EFI/BOOT/grub.cfg'], { env });
  await execa('rm', ['-f', tmp]);
}

export interface SourceDisk {
  disk: LoopDisk;
  table: 'gpt' | 'dos';
}

/**
 * GPT: 1 ESP FAT32 (64M), 2 ext4 with 3000 files (200M), 3 xfs (300M), 4 NTFS (100M), 5 swap (32M), 6 unformatted (16M).
 */
export async function makeGptSource(file: string): Promise<SourceDisk> {
  await makeSparse(file, 800);
  await partition(
    file,
    [
      'label: gpt',
      'label-id: 5E1F1B0A-7D7C-4E65-9A9B-1234567890AB',
      `size=64M, type=${GUID.esp}, name="EFI system", uuid=11111111-2222-4333-8444-555555555501`,
      `size=200M, type=${GUID.linux}, name="root", uuid=11111111-2222-4333-8444-555555555502`,
      `size=300M, type=${GUID.linux}, name="data", uuid=11111111-2222-4333-8444-555555555503`,
      `size=100M, type=${GUID.msdata}, name="windows", uuid=11111111-2222-4333-8444-555555555504`,
      `size=32M, type=${GUID.swap}, name="swap", uuid=11111111-2222-4333-8444-555555555505`,
      `size=16M, type=${GUID.linux}, name="raw", uuid=11111111-2222-4333-8444-555555555506`,
    ].join('\n'),
  );
  await writeBootCode(file);
  const disk = await attach(file);
  try {
    await execa('mkfs.vfat', ['-F', '32', '-n', 'LBESP', '-i', '1234ABCD', disk.part(1)]);
    await fatFiles(disk.part(1));
    await execa('mkfs.ext4', ['-q', '-F', '-L', 'lbroot', '-U', 'aaaaaaaa-1111-4222-8333-444444444444', disk.part(2)]);
    await withMount(disk.part(2), (d) => writeFiles(d, 3000, 'root'));
    await execa('mkfs.xfs', ['-q', '-f', '-L', 'lbdata', '-m', 'uuid=bbbbbbbb-1111-4222-8333-444444444444', disk.part(3)]);
    // nouuid: XFS refuses a second mount of the same UUID, and copies of this disk are mounted by other tests at once.
    await withMount(disk.part(3), (d) => writeFiles(d, 400, 'data'), ['-o', 'nouuid']);
    await execa('mkntfs', ['-Q', '-q', '-F', '-L', 'lbwin', disk.part(4)]);
    await withMount(disk.part(4), (d) => writeFiles(d, 200, 'win'), ['-t', 'ntfs-3g']);
    await execa('mkswap', ['-L', 'lbswap', '-U', 'cccccccc-1111-4222-8333-444444444444', disk.part(5)]);
    await fillRandom(disk.part(6), 16);
  } catch (e) {
    await disk.detach();
    throw e;
  }
  return { disk, table: 'gpt' };
}

/** Boot code in an extended partition's boot record (some boot managers chain-load it), so restoring it is observable. */
export async function writeEbrCode(extended: string): Promise<void> {
  const ebr = Buffer.alloc(446);
  for (let i = 0; i < ebr.length; i++) ebr[i] = (i * 13 + 5) & 0xff;
  const fh = await open(extended, 'r+');
  try {
    await fh.write(ebr, 0, ebr.length, 0);
  } finally {
    await fh.close();
  }
}

/** MBR: 1 primary ext4 (120M), 2 extended, 5 logical ext4 (100M), 6 logical NTFS (60M), 7 logical swap (16M). */
export async function makeMbrSource(file: string): Promise<SourceDisk> {
  await makeSparse(file, 400);
  await partition(
    file,
    ['label: dos', 'label-id: 0x4c494645', 'size=120M, type=83, bootable', 'type=5', 'size=100M, type=83', 'size=60M, type=7', 'size=16M, type=82'].join('\n'),
  );
  await writeBootCode(file);
  const disk = await attach(file);
  try {
    await writeEbrCode(disk.part(2));
    await execa('mkfs.ext4', ['-q', '-F', '-L', 'mbrroot', disk.part(1)]);
    await withMount(disk.part(1), (d) => writeFiles(d, 1500, 'p1'));
    await execa('mkfs.ext4', ['-q', '-F', '-L', 'mbrlogical', disk.part(5)]);
    await withMount(disk.part(5), (d) => writeFiles(d, 500, 'p5'));
    await execa('mkntfs', ['-Q', '-q', '-F', '-L', 'mbrwin', disk.part(6)]);
    await withMount(disk.part(6), (d) => writeFiles(d, 100, 'p6'), ['-t', 'ntfs-3g']);
    await execa('mkswap', ['-L', 'mbrswap', disk.part(7)]);
  } catch (e) {
    await disk.detach();
    throw e;
  }
  return { disk, table: 'dos' };
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** Hashes of every file under dir (relative path → sha256, symlinks by target). */
export async function treeHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(rel: string): Promise<void> {
    for (const entry of await readdir(path.join(dir, rel))) {
      const r = path.join(rel, entry);
      const full = path.join(dir, r);
      const st = await lstat(full);
      if (st.isDirectory()) await walk(r);
      else if (st.isSymbolicLink()) out[r] = `link:${await readlink(full)}`;
      else if (st.isFile()) out[r] = await sha256File(full);
    }
  }
  await walk('');
  return out;
}

async function fatHashes(device: string): Promise<Record<string, string>> {
  const env = { MTOOLS_SKIP_CHECK: '1' };
  const { stdout } = await execa('mdir', ['-i', device, '-/', '-b', '::/'], { env });
  const out: Record<string, string> = {};
  for (const f of stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
    if (f.endsWith('/')) continue;
    const r = await execa('mcopy', ['-i', device, '-n', f, '-'], { env, encoding: 'buffer' });
    out[f] = createHash('sha256').update(r.stdout as Uint8Array).digest('hex');
  }
  return out;
}

/** The first n bytes of a file or device (a disk file may be larger than readFile can hold). */
async function readHead(file: string, n: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export interface Fingerprint {
  table: unknown;
  bootCode: string;
  partitions: Record<string, { blkid: Record<string, string>; files?: Record<string, string>; raw?: string }>;
}

async function blkidOf(device: string): Promise<Record<string, string>> {
  const r = await execa('blkid', ['-p', '-o', 'export', device], { reject: false });
  const out: Record<string, string> = {};
  for (const l of r.stdout.split('\n')) {
    const i = l.indexOf('=');
    if (i > 0) out[l.slice(0, i)] = l.slice(i + 1);
  }
  delete out['DEVNAME'];
  delete out['PART_ENTRY_DISK'];
  delete out['PART_ENTRY_SIZE']; // the last partition may grow
  return out;
}

/** Everything that a restore must reproduce: table (sans sizes of the disk), boot code, fs ids, every file's content. */
export async function fingerprint(disk: LoopDisk, opts: { skipSizes?: boolean } = {}): Promise<Fingerprint> {
  const { stdout } = await execa('sfdisk', ['--json', disk.device]);
  const table = JSON.parse(stdout).partitiontable;
  delete table.device;
  delete table.lastlba;
  for (const p of table.partitions ?? []) {
    p.node = String(p.node).replace(disk.device, '');
    if (opts.skipSizes) delete p.size;
  }
  const head = await readHead(disk.file, 440);
  const parts: Fingerprint['partitions'] = {};
  for (const p of table.partitions ?? []) {
    const dev = `${disk.device}${p.node}`;
    const blkid = await blkidOf(dev);
    const entry: Fingerprint['partitions'][string] = { blkid };
    const type = blkid['TYPE'];
    if (type === 'ext4') entry.files = await withMount(dev, treeHashes, ['-o', 'ro']);
    else if (type === 'xfs') entry.files = await withMount(dev, treeHashes, ['-o', 'ro,nouuid']);
    else if (type === 'ntfs') entry.files = await withMount(dev, treeHashes, ['-t', 'ntfs-3g', '-o', 'ro']);
    else if (type === 'vfat') entry.files = await fatHashes(dev);
    else if (p.type === '5' || p.type === 'f') {
      const head = await readHead(dev, 446);
      entry.raw = `ebr-code:${createHash('sha256').update(head).digest('hex')}`;
    } else if (type === undefined) {
      const r = await execa('sha256sum', [dev]);
      entry.raw = r.stdout.split(' ')[0];
    }
    parts[p.node] = entry;
  }
  return { table, bootCode: createHash('sha256').update(head).digest('hex'), partitions: parts };
}

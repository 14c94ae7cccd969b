// Acceptance (issue 14, point 3): a half-empty disk restored with --shrink onto a clearly smaller one still boots.
// Two GPT disks, each with a large, mostly empty data partition before its root and a GRUB that finds /boot/grub by
// the root's filesystem UUID (as grub-install makes it): the boot-repair fixture (GRUB for BIOS, BIOS boot
// partition) under SeaBIOS, and an ESP with GRUB's x86_64-efi image under OVMF. After the restore the data partition
// is smaller and the root starts elsewhere, and QEMU (TCG) prints the marker; with the root's UUID changed it does not.
// Needs root, loop devices, partx, QEMU, OVMF, mtools and GRUB (i386-pc, x86_64-efi); no KVM needed.
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { makeEfiDisk } from '../helpers/efi-disk.js';
import { makeGrubDisk } from '../helpers/grub-disk.js';
import { attach, makeSparse, tempDir, type LoopDisk } from '../helpers/loop.js';
import { bootsToMarker } from '../helpers/qemu.js';

interface SfdiskPartition {
  start: number;
  size: number;
  type: string;
  uuid?: string;
  name?: string;
}
const partitionsOf = async (device: string): Promise<SfdiskPartition[]> =>
  (JSON.parse((await execa('sfdisk', ['--json', device])).stdout) as { partitiontable: { partitions: SfdiskPartition[] } }).partitiontable.partitions;

/** Filesystem UUID and label of each partition of an attached disk. */
async function fsIds(d: LoopDisk, count: number): Promise<Array<Record<string, string>>> {
  const out: Array<Record<string, string>> = [];
  for (let n = 1; n <= count; n++) {
    const r = await execa('blkid', ['-p', '-o', 'export', d.part(n)], { reject: false });
    const kv = Object.fromEntries(r.stdout.split('\n').filter((l) => l.includes('=')).map((l) => l.split('=', 2) as [string, string]));
    out.push({ TYPE: kv['TYPE'] ?? '', UUID: kv['UUID'] ?? '', LABEL: kv['LABEL'] ?? '' });
  }
  return out;
}

interface Case {
  firmware: 'bios' | 'uefi';
  /** Makes the source disk (GPT: a boot partition of fixed size, data, root) at file, printing marker when booted. */
  make(file: string, marker: string): Promise<void>;
  targetMiB: number;
  /** The plan's lines for p1, p2 and p3. */
  plan: RegExp[];
}

async function shrinkBoots(t: ExecutionContext, c: Case): Promise<void> {
  t.timeout(8 * 60_000);
  const started = Date.now();
  const lap = (what: string) => t.log(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const dir = await tempDir('lifeboat-shrink-boot-');
  const live: LoopDisk[] = [];
  t.teardown(async () => {
    for (const d of live.splice(0)) await d.detach();
    await rm(dir, { recursive: true, force: true });
  });
  const withLoop = async <T>(file: string, fn: (d: LoopDisk) => Promise<T>): Promise<T> => {
    const d = await attach(file);
    live.push(d);
    try {
      return await fn(d);
    } finally {
      live.splice(live.indexOf(d), 1);
      await d.detach();
    }
  };

  const source = path.join(dir, 'source.img');
  const image = path.join(dir, 'image');
  const smaller = path.join(dir, 'smaller.img');
  const marker = `LIFEBOAT-SHRINK-BOOT-${c.firmware.toUpperCase()}-${process.pid}-${Date.now()}`;
  const boot = { timeoutMs: 120_000, firmware: c.firmware };
  await c.make(source, marker);
  const before = await bootsToMarker(source, marker, boot);
  t.true(before.booted, `the source disk boots to the marker; serial:\n${before.serial.slice(-2000)}`);
  lap(`source disk made and booted (${before.ms} ms in QEMU)`);

  const sourceIds = await withLoop(source, async (d) => {
    const r = await lifeboat(['backup', d.device, image]);
    t.is(r.exitCode, 0, r.stderr);
    return fsIds(d, 3);
  });
  lap('backed up');

  await makeSparse(smaller, c.targetMiB);
  const shrunkIds = await withLoop(smaller, async (d) => {
    const r = await lifeboat(['restore', image, d.device, '--shrink', '--yes']);
    t.is(r.exitCode, 0, r.stderr);
    t.regex(r.stderr, /New layout \(old size -> new size\):/);
    for (const line of c.plan) t.regex(r.stderr, line);
    return fsIds(d, 3);
  });
  lap('restored with --shrink');

  const [was, now] = [await partitionsOf(source), await partitionsOf(smaller)];
  t.is(now.length, 3);
  t.deepEqual([now[0]!.start, now[0]!.size], [was[0]!.start, was[0]!.size], 'the boot partition keeps its place and size');
  t.true(now[1]!.size < was[1]!.size, 'the data partition shrank');
  t.true(now[2]!.start < was[2]!.start, `the root partition moved (start ${was[2]!.start} -> ${now[2]!.start})`);
  for (let i = 0; i < 3; i++) {
    t.is(now[i]!.uuid, was[i]!.uuid, `partition ${i + 1} keeps its GUID`);
    t.is(now[i]!.type, was[i]!.type);
    t.is(now[i]!.name, was[i]!.name);
  }
  t.deepEqual(shrunkIds, sourceIds, 'filesystem UUIDs and labels kept');
  t.is(sourceIds[2]!['LABEL'], 'lifeboat');

  const after = await bootsToMarker(smaller, marker, boot);
  t.true(after.booted, `the shrunk disk boots to the marker; serial:\n${after.serial.slice(-2000)}`);
  lap(`shrunk disk booted (${after.ms} ms in QEMU)`);

  // The boot goes through the UUID: the same disk with the root's filesystem UUID changed does not boot.
  const other = path.join(dir, 'other-uuid.img');
  await execa('cp', ['--sparse=always', smaller, other]);
  await withLoop(other, (d) => execa('tune2fs', ['-U', 'random', d.part(3)]));
  const lost = await bootsToMarker(other, marker, { ...boot, giveUpOn: `no such device: ${shrunkIds[2]!['UUID']}` });
  t.false(lost.booted, 'with another root UUID GRUB does not find /boot/grub');
  t.true(lost.serial.includes(`no such device: ${shrunkIds[2]!['UUID']}`), `GRUB says it found no filesystem with that UUID; serial:\n${lost.serial.slice(-2000)}`);
  lap(`the same disk with another root UUID did not boot (${lost.ms} ms in QEMU)`);
}

test.serial('GPT + GRUB for BIOS, half empty: restore --shrink onto a disk half its size, and it boots to the marker', async (t) => {
  await shrinkBoots(t, {
    firmware: 'bios',
    make: (file, marker) => makeGrubDisk({ path: file, table: 'gpt', sizeMiB: 400, dataMiB: 256, dataFillMiB: 8, findRootBy: 'uuid', marker }),
    targetMiB: 200,
    plan: [
      /p1 \(dd\): 1\.0 MiB -> 1\.0 MiB, keeps its size: boot or firmware partition/,
      /p2 \(ext4\): 256 MiB -> [\d.]+ MiB, e2fsck -f and resize2fs/,
      /p3 \(ext4\): 141 MiB -> [\d.]+ MiB, e2fsck -f and resize2fs/,
    ],
  });
});

test.serial('GPT + ESP with GRUB for UEFI, half empty: restore --shrink onto a disk 55% its size, and it boots to the marker under OVMF', async (t) => {
  await shrinkBoots(t, {
    firmware: 'uefi',
    make: (file, marker) => makeEfiDisk({ path: file, sizeMiB: 400, espMiB: 33, dataMiB: 224, dataFillMiB: 8, marker }),
    targetMiB: 220,
    plan: [
      /p1 \(vfat\): 33\.0 MiB -> 33\.0 MiB, keeps its size: boot or firmware partition/,
      /p2 \(ext4\): 224 MiB -> [\d.]+ MiB, e2fsck -f and resize2fs/,
      /p3 \(ext4\): 141 MiB -> [\d.]+ MiB, e2fsck -f and resize2fs/,
    ],
  });
});

// Acceptance: boot repair. A loop disk with GRUB for BIOS boots in QEMU (marker on COM1); with its boot area
// zeroed (partition table kept) it does not; `lifeboat restore --boot-only` makes it boot again and leaves
// every other partition bit-identical. Without --yes and without a terminal the restore refuses (exit 4)
// and writes nothing. Needs root, loop devices, partx, QEMU and GRUB (i386-pc); no KVM needed.
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jsonLines, lifeboat } from '../helpers/cli.js';
import { BIOS_BOOT_GUID, makeGrubDisk } from '../helpers/grub-disk.js';
import { attach, type LoopDisk } from '../helpers/loop.js';
import { bootsToMarker } from '../helpers/qemu.js';

const SECTOR = 512;

interface SfdiskPartition {
  node: string;
  start: number;
  size: number;
  type: string;
}

/** The partitions of a disk file or device, as sfdisk sees them (with node names, which differ between the two). */
async function partitionsOf(device: string): Promise<SfdiskPartition[]> {
  const { stdout } = await execa('sfdisk', ['--json', device]);
  return (JSON.parse(stdout) as { partitiontable: { partitions?: SfdiskPartition[] } }).partitiontable.partitions ?? [];
}

/** The same without node names: what a table records (start, size, type, flags, GUIDs, names). */
async function tableOf(device: string): Promise<Array<Omit<SfdiskPartition, 'node'>>> {
  return (await partitionsOf(device)).map(({ node: _node, ...rest }) => rest);
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Writes zeros to [offset, offset+length) of a file or block device, and flushes them. */
async function zero(target: string, offset: number, length: number): Promise<void> {
  const fh = await open(target, 'r+');
  try {
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) done += (await fh.write(buf, done, length - done, offset + done)).bytesWritten;
    await fh.sync();
  } finally {
    await fh.close();
  }
}

interface Case {
  table: 'dos' | 'gpt';
  /** Partition numbers the image must list as boot partitions. */
  bootPartitions: number[];
  /** Number of the ext4 partition (the one holding /boot/grub). */
  ext4: number;
  /** Byte ranges [start, end) of the disk that --boot-only need not bring back (they stay as the damaged disk had them). */
  untouched: Array<[number, number]>;
}

async function bootRepair(t: ExecutionContext, c: Case): Promise<void> {
  t.timeout(8 * 60_000);
  const started = Date.now();
  const lap = (what: string) => t.log(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const dir = await mkdtemp(path.join(os.tmpdir(), `lifeboat-boot-repair-${c.table}-`));
  const live = new Set<LoopDisk>();
  const detach = async (d: LoopDisk) => {
    live.delete(d);
    await d.detach();
  };
  t.teardown(async () => {
    for (const d of [...live]) await detach(d);
    await rm(dir, { recursive: true, force: true });
  });
  /** Attach the disk file, run fn, and always detach again. */
  const withLoop = async <T>(fn: (d: LoopDisk) => Promise<T>): Promise<T> => {
    const d = await attach(diskFile);
    live.add(d);
    try {
      return await fn(d);
    } finally {
      await detach(d);
    }
  };

  const diskFile = path.join(dir, 'disk.img');
  const imageDir = path.join(dir, 'image');
  const marker = `LIFEBOAT-BOOT-REPAIR-${c.table.toUpperCase()}-${process.pid}-${Date.now()}`;
  await makeGrubDisk({ path: diskFile, table: c.table, marker, sizeMiB: 64 });
  const original = await readFile(diskFile);
  const layout = await partitionsOf(diskFile);
  const table = await tableOf(diskFile);
  lap('GRUB disk made');

  const before = await bootsToMarker(diskFile, marker, { timeoutMs: 120_000 });
  t.true(before.booted, `the fresh GRUB disk boots to the marker; serial:\n${before.serial.slice(-2000)}`);
  lap(`booted the fresh disk (${before.ms} ms in QEMU)`);

  // Back up, record checksums of the partitions that are not boot partitions, then damage the boot area.
  const sums = new Map<number, string>();
  await withLoop(async (d) => {
    const backup = await lifeboat(['backup', d.device, imageDir, '--json']);
    t.is(backup.exitCode, 0, backup.stderr);
    t.truthy(jsonLines(backup.stdout).find((e) => e['type'] === 'done'));
    const manifest = JSON.parse(await readFile(path.join(imageDir, 'lifeboat.json'), 'utf8')) as { state: string; bootRecords: { bootPartitions?: number[] } };
    t.is(manifest.state, 'complete');
    t.deepEqual(manifest.bootRecords.bootPartitions, c.bootPartitions, 'the image lists the boot partitions');

    const parts = await partitionsOf(d.device);
    t.is(parts.length, layout.length);
    for (const p of parts) {
      const n = Number(/(\d+)$/.exec(p.node)![1]);
      if (!c.bootPartitions.includes(n)) sums.set(n, await sha256(d.part(n)));
    }
    t.true(sums.has(c.ext4), 'the ext4 partition is checksummed');

    if (c.table === 'dos') {
      // Boot code and disk signature (0..445; the table at 446..511 stays), and the gap where core.img lives.
      await zero(d.device, 0, 446);
      await zero(d.device, SECTOR, 2047 * SECTOR);
    } else {
      // Protective MBR boot code, and the BIOS boot partition (core.img).
      await zero(d.device, 0, 440);
      const biosBoot = parts.filter((p) => p.type.toUpperCase() === BIOS_BOOT_GUID);
      t.is(biosBoot.length, 1, 'the GPT disk has one BIOS boot partition');
      for (const p of biosBoot) await zero(d.device, p.start * SECTOR, p.size * SECTOR);
    }
  });
  lap('backed up and zeroed the boot area');

  const damaged = await readFile(diskFile);
  t.false(damaged.equals(original), 'the boot area was zeroed');
  t.deepEqual(await tableOf(diskFile), table, 'zeroing kept the partition table');
  t.is(damaged.readUInt16LE(510), 0xaa55, 'the MBR signature is kept');
  const broken = await bootsToMarker(diskFile, marker, { timeoutMs: 15_000 });
  t.false(broken.booted, 'the damaged disk no longer boots');
  lap(`damaged disk did not boot (${broken.ms} ms in QEMU)`);

  await withLoop(async (d) => {
    // Without --yes and without a terminal: refused, exit code 4, nothing written.
    const fileBefore = await sha256(diskFile);
    const refused = await lifeboat(['restore', imageDir, d.device, '--boot-only']);
    t.is(refused.exitCode, 4, `exit code 4 (refused); stderr:\n${refused.stderr}`);
    t.regex(refused.stderr, /not confirmed/);
    t.regex(refused.stderr, /--yes/);
    t.is(await sha256(d.device), fileBefore, 'the refused restore wrote nothing (device)');
    t.is(await sha256(diskFile), fileBefore, 'the refused restore wrote nothing (disk file)');

    const restore = await lifeboat(['restore', imageDir, d.device, '--boot-only', '--yes', '--json']);
    t.is(restore.exitCode, 0, restore.stderr);
    const result = jsonLines(restore.stdout).find((e) => e['type'] === 'result') as { ok?: boolean; steps?: string[] } | undefined;
    t.true(result?.ok, restore.stdout);
    const steps = result?.steps ?? [];
    t.true(steps.some((s) => /MBR boot code/.test(s)), steps.join('\n'));
    t.false(steps.some((s) => /partition table/.test(s)), 'no table is written');
    const restored = steps.filter((s) => s.startsWith('restore '));
    t.is(restored.length, c.bootPartitions.length, `only the boot partitions are restored: ${steps.join('; ')}`);
    if (c.table === 'dos') t.true(steps.some((s) => /hidden data/.test(s)), steps.join('\n'));

    t.deepEqual(await tableOf(d.device), table, 'the partition table is unchanged');
    for (const [n, sum] of sums) t.is(await sha256(d.part(n)), sum, `partition ${n} is bit-identical`);
  });
  lap('restored the boot records');

  // The disk file: partitions bit-identical, everything else back as it was, except ranges boot-only leaves alone.
  const repaired = await readFile(diskFile);
  t.is(repaired.length, original.length);
  for (const p of layout) {
    const a = p.start * SECTOR;
    const b = a + p.size * SECTOR;
    t.true(repaired.subarray(a, b).equals(original.subarray(a, b)), `${path.basename(p.node)} of the disk file matches the fresh disk`);
  }
  const mask = (buf: Buffer) => {
    const copy = Buffer.from(buf);
    for (const [a, b] of c.untouched) copy.fill(0, a, b);
    return copy;
  };
  t.true(mask(repaired).equals(mask(original)), 'the whole disk matches the fresh disk (outside the ranges boot-only leaves alone)');
  for (const [a, b] of c.untouched) t.true(repaired.subarray(a, b).equals(damaged.subarray(a, b)), `bytes ${a}..${b - 1} are left as they were`);

  const after = await bootsToMarker(diskFile, marker, { timeoutMs: 120_000 });
  t.true(after.booted, `the repaired disk boots to the marker again; serial:\n${after.serial.slice(-2000)}`);
  lap(`repaired disk booted (${after.ms} ms in QEMU)`);
}

test.serial('boot repair, MBR: zeroed boot code and post-MBR gap come back with restore --boot-only', async (t) => {
  // --boot-only keeps a target's own disk signature (440..445), but one wiped with the boot code comes back from the image.
  await bootRepair(t, { table: 'dos', bootPartitions: [], ext4: 1, untouched: [] });
});

test.serial('boot repair, GPT: zeroed protective-MBR boot code and BIOS boot partition come back with restore --boot-only', async (t) => {
  await bootRepair(t, { table: 'gpt', bootPartitions: [1], ext4: 2, untouched: [] });
});

// Partitions section: what each partition costs beyond its data. A 1 GiB GPT disk like a PC's (ESP FAT32, ext4 and
// XFS with files, NTFS, swap, an unformatted partition) is backed up, verified and restored by Lifeboat and by the
// same tools typed by hand, one partition after the other: `partclone.<fs> -c -a0 | zstd -T0 -3`,
// `zstd -dc | partclone.chkimg`, `sfdisk` then `zstd -dc | partclone.restore` (dd for the raw one, mkswap for swap).
// Interleaved repetitions, cold page cache before every run (measure.ts). partclone exits only on its progress
// thread's next tick after its data is through (-f seconds, 2 by default): per partition that wait is most of the
// cost of a small one, which is what this section shows. In the same run, `lifeboat clone` copies the source onto the
// target disk device to device, timed against Lifeboat's backup plus restore of the same disk.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fillFilesystem } from './disk.js';
import { type Op, type Run, lifeboat, median, timed } from './measure.js';
import { attach, detach, log, mounted, q, sh } from './process.js';
import type { Args } from './settings.js';

const DISK_MIB = 1024;

/** The disk's partitions: sfdisk lines, what makes each, and how the hand pipeline saves it. */
const layout = [
  { n: 1, line: 'size=64M, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B', mkfs: ['mkfs.vfat', '-F', '32', '-n', 'ESP'], tool: 'partclone.vfat' },
  { n: 2, line: 'size=200M, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4', mkfs: ['mkfs.ext4', '-q', '-F', '-L', 'root'], tool: 'partclone.ext4', fill: 0.04 },
  { n: 3, line: 'size=300M, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4', mkfs: ['mkfs.xfs', '-q', '-f', '-L', 'data'], tool: 'partclone.xfs', fill: 0.06 },
  { n: 4, line: 'size=100M, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7', mkfs: ['mkfs.ntfs', '-q', '-f', '-L', 'windows'], tool: 'partclone.ntfs' },
  { n: 5, line: 'size=32M, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F', mkfs: ['mkswap', '-L', 'swap'], tool: undefined },
  { n: 6, line: 'size=16M, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4', mkfs: undefined, tool: 'partclone.dd' },
] as const;

export interface PartitionsResult {
  partitions: number;
  ops: Op[];
  /** Lifeboat's restore gave the source's files back (checked after the last rep). */
  restoredOk: boolean;
}

const part = (dev: string, n: number) => `${dev}p${n}`;

async function makeDisk(file: string): Promise<void> {
  await rm(file, { force: true });
  await sh('truncate', ['-s', `${DISK_MIB}M`, file]);
  await sh('sfdisk', ['--quiet', file], { input: ['label: gpt', ...layout.map((p) => p.line)].join('\n') });
  const dev = await attach(file, false);
  try {
    for (const p of layout) {
      if (p.mkfs) await sh(p.mkfs[0], [...p.mkfs.slice(1), part(dev, p.n)]);
      if ('fill' in p) {
        const dir = await sh('mktemp', ['-d']).then((r) => r.stdout.trim());
        await sh('mount', [part(dev, p.n), dir]);
        mounted.add(dir);
        try {
          await fillFilesystem(dir, p.fill);
        } finally {
          await sh('umount', [dir]);
          mounted.delete(dir);
          await rm(dir, { recursive: true, force: true });
        }
      }
    }
    await sh('dd', ['if=/dev/urandom', `of=${part(dev, 6)}`, 'bs=1M', 'count=16', 'status=none']);
  } finally {
    await detach(dev);
  }
}

/** The hand pipelines over every partition, as one bash script each. */
function handScripts(src: string, dst: string, dir: string): { backup: string; verify: string; restore: string } {
  const f = (n: number) => q(path.join(dir, `p${n}.zst`));
  const table = q(path.join(dir, 'table.sfdisk'));
  const backup = [`sfdisk --dump ${q(src)} > ${table}`];
  const verify: string[] = [];
  const restore = [`sfdisk --quiet --no-reread --no-tell-kernel ${q(dst)} < ${table}`, `partx -d ${q(dst)} || true`, `partx -a ${q(dst)}`];
  for (const p of layout) {
    if (!p.tool) {
      restore.push(`mkswap -L swap ${q(part(dst, p.n))} > /dev/null`);
      continue;
    }
    const flags = p.tool === 'partclone.dd' ? '' : '-c -a0 ';
    backup.push(`${p.tool} ${flags}-s ${q(part(src, p.n))} -O - 2>/dev/null | zstd -T0 -3 -q > ${f(p.n)}`);
    if (p.tool === 'partclone.dd') {
      verify.push(`zstd -t -q ${f(p.n)}`);
      restore.push(`zstd -dc -q ${f(p.n)} | dd of=${q(part(dst, p.n))} bs=4M status=none`);
    } else {
      verify.push(`zstd -dc -q ${f(p.n)} | partclone.chkimg -s - > /dev/null 2>&1`);
      restore.push(`zstd -dc -q ${f(p.n)} | partclone.restore -s - -o ${q(part(dst, p.n))} > /dev/null 2>&1`);
    }
  }
  return { backup: backup.join('; '), verify: verify.join('; '), restore: restore.join('; ') };
}

export async function runPartitions(args: Args): Promise<PartitionsResult> {
  const dir = path.join(args.dir, 'partitions');
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'hand'), { recursive: true });
  const srcFile = path.join(dir, 'source.img');
  const dstFile = path.join(dir, 'target.img');
  log(args, `partitions: making the ${layout.length}-partition source disk`);
  await makeDisk(srcFile);
  await sh('truncate', ['-s', `${DISK_MIB}M`, dstFile]);
  const src = await attach(srcFile, true);
  let dst: string | undefined;
  const ops: Op[] = [
    { id: 'lb-backup', phase: 'backup', label: 'Lifeboat backup', command: `node dist/bundle/lifeboat.mjs backup ${src} IMAGE --json`, runs: [] },
    { id: 'hand-backup', phase: 'backup', label: 'by hand, partition by partition', command: 'partclone.<fs> -c -a0 -s P -O - | zstd -T0 -3 > F, for each', runs: [] },
    { id: 'lb-verify', phase: 'backup', label: 'Lifeboat verify', command: 'node dist/bundle/lifeboat.mjs verify IMAGE --json', runs: [] },
    { id: 'hand-verify', phase: 'backup', label: 'by hand, partition by partition', command: 'zstd -dc F | partclone.chkimg -s -, for each', runs: [] },
    { id: 'lb-restore', phase: 'restore', label: 'Lifeboat restore', command: 'node dist/bundle/lifeboat.mjs restore IMAGE DST --yes --json', runs: [] },
    { id: 'hand-restore', phase: 'restore', label: 'by hand, partition by partition', command: 'sfdisk DST < table; zstd -dc F | partclone.restore -s - -o P, for each', runs: [] },
    { id: 'lb-clone', phase: 'restore', label: 'Lifeboat clone', command: `node dist/bundle/lifeboat.mjs clone ${src} DST --yes --json`, runs: [] },
  ];
  const note = (id: string, r: Run) => {
    const op = ops.find((o) => o.id === id)!;
    op.runs.push(r);
    log(args, `  ${op.id.padEnd(13)} ${r.durable.toFixed(2).padStart(6)} s`);
  };
  const image = path.join(dir, 'lifeboat-image');
  let restoredOk = false;
  try {
    dst = await attach(dstFile, false);
    const hand = handScripts(src, dst, path.join(dir, 'hand'));
    const blank = async () => {
      await sh('partx', ['-d', dst!], { allowFail: true });
      await sh('wipefs', ['--all', '--force', dst!], { allowFail: true });
    };
    for (let rep = 1; rep <= args.reps; rep++) {
      log(args, `partitions, rep ${rep}/${args.reps}`);
      await rm(image, { recursive: true, force: true });
      note('lb-backup', await lifeboat(['backup', src, image]));
      note('hand-backup', await timed(hand.backup));
      note('lb-verify', await lifeboat(['verify', image]));
      note('hand-verify', await timed(hand.verify));
      await blank();
      note('lb-restore', await lifeboat(['restore', image, dst, '--yes']));
      await blank();
      note('hand-restore', await timed(hand.restore));
      await blank();
      note('lb-clone', await lifeboat(['clone', src, dst, '--yes']));
    }
    // The last Lifeboat restore, checked: every filesystem whole.
    await blank();
    await lifeboat(['restore', image, dst, '--yes']);
    await sh('partx', ['-a', dst], { allowFail: true });
    await sh('e2fsck', ['-f', '-n', part(dst, 2)]);
    await sh('xfs_repair', ['-n', part(dst, 3)]);
    restoredOk = (await sh('cmp', [part(src, 6), part(dst, 6)], { allowFail: true })).exitCode === 0;
  } finally {
    if (dst) await detach(dst);
    await detach(src);
  }
  return { partitions: layout.length, ops, restoredOk };
}

/** Text lines: each pair's median (min–max) and the ratio Lifeboat / by hand. */
export function partitionsText(r: PartitionsResult, reps: number): string[] {
  const lines = ['', `Partitions: a 1 GiB GPT disk with ${r.partitions} partitions (FAT32, ext4 and XFS with files, NTFS, swap, raw); ${reps} rep(s); seconds until the data is on disk`];
  const fmt = (op: Op) => {
    const d = op.runs.map((x) => x.durable);
    return `${median(d).toFixed(2)} s (${Math.min(...d).toFixed(2)}–${Math.max(...d).toFixed(2)})`;
  };
  for (const job of ['backup', 'verify', 'restore']) {
    const lb = r.ops.find((o) => o.id === `lb-${job}`)!;
    const hand = r.ops.find((o) => o.id === `hand-${job}`)!;
    const ratio = median(lb.runs.map((x) => x.durable)) / median(hand.runs.map((x) => x.durable));
    lines.push(`  ${job.padEnd(8)} Lifeboat ${fmt(lb)}   by hand ${fmt(hand)}   ×${ratio.toFixed(2)}`);
  }
  const clone = r.ops.find((o) => o.id === 'lb-clone');
  if (clone && clone.runs.length > 0) {
    const both = ['lb-backup', 'lb-restore'].reduce((n, id) => n + median(r.ops.find((o) => o.id === id)!.runs.map((x) => x.durable)), 0);
    const ratio = median(clone.runs.map((x) => x.durable)) / both;
    lines.push(`  clone    Lifeboat ${fmt(clone)}   Lifeboat backup + restore ${both.toFixed(2)} s   ×${ratio.toFixed(2)} (disk to disk, every filesystem checked after)`);
  }
  lines.push(`  the restored disk checked (e2fsck, xfs_repair, raw partition compared): ${r.restoredOk ? 'OK' : 'FAILED'}`);
  return lines;
}

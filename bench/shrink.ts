// Shrink section: the same image restored onto a disk of its size and, with --shrink, onto a disk half its size. A
// 1 GiB GPT disk (ESP FAT32 64 MiB, ext4 with files in the rest) is backed up once; each rep restores it onto both
// targets (interleaved, cold page cache before every run, measure.ts); the ratio is shrink / equal.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fillFilesystem } from './disk.js';
import { type Op, type Run, lifeboat, median } from './measure.js';
import { attach, detach, log, mounted, sh } from './process.js';
import type { Args } from './settings.js';

const DISK_MIB = 1024;

export interface ShrinkResult {
  diskMiB: number;
  smallMiB: number;
  ops: Op[];
}

async function makeDisk(file: string): Promise<void> {
  await rm(file, { force: true });
  await sh('truncate', ['-s', `${DISK_MIB}M`, file]);
  await sh('sfdisk', ['--quiet', file], {
    input: ['label: gpt', 'size=64M, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B', 'type=0FC63DAF-8483-4772-8E79-3D69D8477DE4'].join('\n'),
  });
  const dev = await attach(file, false);
  try {
    await sh('mkfs.vfat', ['-F', '32', '-n', 'ESP', `${dev}p1`]);
    await sh('mkfs.ext4', ['-q', '-F', '-L', 'root', `${dev}p2`]);
    const dir = await sh('mktemp', ['-d']).then((r) => r.stdout.trim());
    await sh('mount', [`${dev}p2`, dir]);
    mounted.add(dir);
    try {
      await fillFilesystem(dir, 0.08);
    } finally {
      await sh('umount', [dir]);
      mounted.delete(dir);
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await detach(dev);
  }
}

export async function runShrink(args: Args): Promise<ShrinkResult> {
  const dir = path.join(args.dir, 'shrink');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const smallMiB = DISK_MIB / 2;
  const srcFile = path.join(dir, 'source.img');
  const image = path.join(dir, 'lifeboat-image');
  log(args, 'shrink: making the source disk and its image');
  await makeDisk(srcFile);
  const src = await attach(srcFile, true);
  try {
    const b = await lifeboat(['backup', src, image]);
    log(args, `  backup ${b.durable.toFixed(2)} s`);
  } finally {
    await detach(src);
  }
  const ops: Op[] = [
    { id: 'lb-restore-equal', phase: 'restore', label: `Lifeboat restore onto ${DISK_MIB} MiB`, command: 'node dist/bundle/lifeboat.mjs restore IMAGE DST --yes', runs: [] },
    { id: 'lb-restore-shrink', phase: 'restore', label: `Lifeboat restore --shrink onto ${smallMiB} MiB`, command: 'node dist/bundle/lifeboat.mjs restore IMAGE DST --shrink --yes', runs: [] },
  ];
  const note = (id: string, r: Run) => {
    const op = ops.find((o) => o.id === id)!;
    op.runs.push(r);
    log(args, `  ${op.id.padEnd(18)} ${r.durable.toFixed(2).padStart(6)} s`);
  };
  const onto = async (id: string, mib: number, extra: string[]) => {
    const file = path.join(dir, `${id}.img`);
    await rm(file, { force: true });
    await sh('truncate', ['-s', `${mib}M`, file]);
    const dst = await attach(file, false);
    try {
      note(id, await lifeboat(['restore', image, dst, ...extra, '--yes']));
    } finally {
      await detach(dst);
      await rm(file, { force: true });
    }
  };
  for (let rep = 1; rep <= args.reps; rep++) {
    log(args, `shrink, rep ${rep}/${args.reps}`);
    await onto('lb-restore-equal', DISK_MIB, []);
    await onto('lb-restore-shrink', smallMiB, ['--shrink']);
  }
  return { diskMiB: DISK_MIB, smallMiB, ops };
}

/** Text lines: both restores' medians (min–max) and the ratio shrink / equal. */
export function shrinkText(r: ShrinkResult, reps: number): string[] {
  const d = (id: string) => r.ops.find((o) => o.id === id)!.runs.map((x) => x.durable);
  const fmt = (xs: number[]) => `${median(xs).toFixed(2)} s (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
  const [equal, shrink] = [d('lb-restore-equal'), d('lb-restore-shrink')];
  return [
    '',
    `Shrink: one image of a ${r.diskMiB} MiB GPT disk (ESP, ext4 with files); ${reps} rep(s); seconds until the data is on disk`,
    `  restore onto ${r.diskMiB} MiB ${fmt(equal)}   restore --shrink onto ${r.smallMiB} MiB ${fmt(shrink)}   ×${(median(shrink) / median(equal)).toFixed(2)}`,
  ];
}

// Imager section: Lifeboat backup and restore of each 4 GiB test disk (half and a quarter full), timed side by side
// with `partclone.ext4 -c | zstd -T0`, `dd | zstd -T0` and Clonezilla's `ocs-sr savedisk` / `restoredisk` (zstdmt),
// interleaved repetitions, cold page cache before every run.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { removeConverted, restoreArgs, saveArgs, timedOcs } from './clonezilla.js';
import { type DiskInfo, sourceDisk } from './disk.js';
import { type Op, type Run, dirBytes, lifeboat, timed } from './measure.js';
import { attach, detach, log, q, sh } from './process.js';
import { type Args, DISK_MIB, type DiskSpec, disks } from './settings.js';

export interface DiskResult {
  spec: DiskSpec;
  disk: DiskInfo;
  ops: Op[];
  /** Lifeboat's partition image is byte for byte the hand pipeline's (same partclone flags). */
  sameImage: boolean;
}

function opsFor(src: string, dst: string): Op[] {
  const srcPart = `${src}p1`;
  const dstPart = `${dst}p1`;
  return [
    { id: 'lb-backup', phase: 'backup', label: 'Lifeboat backup (CLI)', command: `node dist/bundle/lifeboat.mjs backup ${src} IMAGE --json`, runs: [] },
    { id: 'hand-backup', phase: 'backup', label: 'hand partclone -a0 | zstd', command: `partclone.ext4 -c -a0 -s ${srcPart} -O - | zstd -T0 -3 > FILE`, runs: [] },
    { id: 'hand-crc-backup', phase: 'backup', label: 'hand partclone (CRC) | zstd', command: `partclone.ext4 -c -s ${srcPart} -O - | zstd -T0 -3 > FILE`, runs: [] },
    { id: 'dd-backup', phase: 'backup', label: 'dd | zstd', command: `dd if=${src} bs=4M | zstd -T0 -3 > FILE`, runs: [] },
    { id: 'ocs-backup', phase: 'backup', label: 'Clonezilla ocs-sr savedisk', command: `ocs-sr ${saveArgs('REPO', 'NAME', path.basename(src)).join(' ')}`, runs: [] },
    { id: 'lb-restore', phase: 'restore', label: 'Lifeboat restore (CLI)', command: `node dist/bundle/lifeboat.mjs restore IMAGE ${dst} --yes --json`, runs: [] },
    { id: 'hand-restore', phase: 'restore', label: 'hand zstd -dc | partclone.restore', command: `zstd -dc FILE | partclone.restore -s - -o ${dstPart}  (table written beforehand)`, runs: [] },
    { id: 'dd-restore', phase: 'restore', label: 'zstd -dc | dd', command: `zstd -dc FILE | dd of=${dst} bs=4M`, runs: [] },
    { id: 'ocs-restore', phase: 'restore', label: 'Clonezilla ocs-sr restoredisk', command: `ocs-sr ${restoreArgs('REPO', 'NAME', path.basename(dst)).join(' ')}`, runs: [] },
  ];
}

/** One disk: every operation `args.reps` times, interleaved; loop devices detached whatever happens. */
async function benchDisk(args: Args, spec: DiskSpec): Promise<DiskResult> {
  const disk = await sourceDisk(args, spec);
  const out = path.join(args.dir, 'out', spec.id);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const targetFile = path.join(args.dir, 'target.img');
  await rm(targetFile, { force: true });
  await sh('truncate', ['-s', `${DISK_MIB}M`, targetFile]);

  const src = await attach(disk.file, true);
  let dst: string | undefined;
  try {
    dst = await attach(targetFile, false);
    return await benchAttached(args, spec, disk, out, src, dst);
  } finally {
    if (dst) await detach(dst);
    await detach(src);
    await rm(targetFile, { force: true });
  }
}

async function benchAttached(args: Args, spec: DiskSpec, disk: DiskInfo, out: string, src: string, dst: string): Promise<DiskResult> {
  const srcPart = `${src}p1`;
  const dstPart = `${dst}p1`;
  log(args, `disk ${spec.id}: source ${src} (${disk.file}, read-only), target ${dst}`);
  const dump = (await sh('sfdisk', ['--dump', src])).stdout;

  const lbImage = path.join(out, 'lifeboat-img');
  const handFile = path.join(out, 'hand.ext4-ptcl-img.zst');
  const handCrcFile = path.join(out, 'hand-crc.ext4-ptcl-img.zst');
  const ddFile = path.join(out, 'disk.dd.zst');
  const ocsRepo = path.join(out, 'ocs');
  const ocsName = `bench-ocs-${spec.id}`;
  const ocsImage = path.join(ocsRepo, ocsName);
  await mkdir(ocsRepo, { recursive: true }); // ocs-sr refuses a repository directory that does not exist
  const ops = opsFor(src, dst);
  const op = (id: string) => ops.find((o) => o.id === id)!;
  // The target starts each restore as an empty (all-holes) disk, so every restore does the same work.
  const blankTarget = async () => {
    await sh('partx', ['-d', dst], { allowFail: true });
    await sh('blkdiscard', ['-f', dst]);
  };
  const refreshTargetParts = async () => {
    await sh('partx', ['-d', dst], { allowFail: true });
    await sh('partx', ['-a', dst], { allowFail: true });
  };
  const note = (id: string, r: Run) => {
    op(id).runs.push(r);
    log(args, `  ${op(id).label.padEnd(34)} ${r.durable.toFixed(2).padStart(7)} s  (to exit ${r.exit.toFixed(2)} s, CPU ${r.cpu.toFixed(2)} s, other ${(r.hostBusy - r.cpu).toFixed(2)} s)`);
  };

  for (let rep = 1; rep <= args.reps; rep++) {
    log(args, `disk ${spec.id}, rep ${rep}/${args.reps}`);
    // Backups, interleaved so that drift of the host affects all alike.
    await rm(lbImage, { recursive: true, force: true });
    note('lb-backup', await lifeboat(['backup', src, lbImage]));
    for (const [id, file, crc] of [['hand-backup', handFile, '-a0 '], ['hand-crc-backup', handCrcFile, '']] as const) {
      await rm(file, { force: true });
      note(id, await timed(`partclone.ext4 -c ${crc}-s ${q(srcPart)} -O - 2>${q(`${file}.log`)} | zstd -T0 -3 -q > ${q(file)}`));
    }
    await rm(ddFile, { force: true });
    note('dd-backup', await timed(`dd if=${q(src)} bs=4M status=none | zstd -T0 -3 -q > ${q(ddFile)}`));
    await rm(ocsImage, { recursive: true, force: true });
    note('ocs-backup', await timedOcs(saveArgs(ocsRepo, ocsName, path.basename(src)), path.join(out, 'ocs-save.log')));

    // Restores onto the blank target.
    await blankTarget();
    note('lb-restore', await lifeboat(['restore', lbImage, dst, '--yes']));
    if (rep === args.reps) {
      // Untimed sanity check of the last Lifeboat restore: the filesystem is whole and is the source's.
      await refreshTargetParts();
      await sh('e2fsck', ['-f', '-n', dstPart]);
      const uuid = (await sh('blkid', ['-p', '-o', 'value', '-s', 'UUID', dstPart])).stdout.trim();
      if (uuid !== '4c494645-b0a7-4b4e-8c48-000000000003') throw new Error(`restored filesystem has UUID ${uuid}`);
    }

    await blankTarget();
    await sh('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', dst], { input: dump.replaceAll(src, dst) });
    await refreshTargetParts();
    note('hand-restore', await timed(`zstd -dc -q ${q(handFile)} | partclone.restore -s - -o ${q(dstPart)} 2>${q(`${handFile}.restore.log`)}`));

    await blankTarget();
    note('dd-restore', await timed(`zstd -dc -q ${q(ddFile)} | dd of=${q(dst)} bs=4M status=none`));

    await blankTarget();
    await removeConverted(ocsName);
    try {
      note('ocs-restore', await timedOcs(restoreArgs(ocsRepo, ocsName, path.basename(dst)), path.join(out, 'ocs-restore.log')));
    } finally {
      await removeConverted(ocsName);
    }
    if (rep === args.reps) {
      await refreshTargetParts();
      await sh('e2fsck', ['-f', '-n', dstPart]);
    }
  }
  op('lb-backup').imageBytes = await dirBytes(lbImage);
  op('hand-backup').imageBytes = await dirBytes(handFile);
  op('hand-crc-backup').imageBytes = await dirBytes(handCrcFile);
  op('dd-backup').imageBytes = await dirBytes(ddFile);
  op('ocs-backup').imageBytes = await dirBytes(ocsImage);
  for (const [id, from] of [['lb-restore', 'lb-backup'], ['hand-restore', 'hand-backup'], ['dd-restore', 'dd-backup'], ['ocs-restore', 'ocs-backup']] as const) op(id).imageBytes = op(from).imageBytes!;

  // Fairness check: Lifeboat's partition image and the hand pipeline's must be the same bytes (same partclone flags).
  const manifest = JSON.parse(await readFile(path.join(lbImage, 'lifeboat.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
  const lbPart = Object.entries(manifest.files).find(([f]) => f.includes('-ptcl-img.'));
  const handSha = (await sh('sha256sum', [handFile])).stdout.split(' ')[0];
  return { spec, disk, ops, sameImage: lbPart !== undefined && lbPart[1].sha256 === handSha };
}

/** The imager section: every disk of --disk, in order. */
export async function runImager(args: Args): Promise<DiskResult[]> {
  const results: DiskResult[] = [];
  for (const spec of disks.filter((d) => args.disks.includes(d.id))) results.push(await benchDisk(args, spec));
  return results;
}

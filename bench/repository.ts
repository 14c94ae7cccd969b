// Repository section: incremental backups of the half-full test disk into a new local restic repository, side by side
// with the hand pipeline's full backups (`partclone.ext4 -c -a0 | zstd -T0 -3`). Each rep is a sequence on a private
// copy of the cached disk (the imager's copy is never written): first backup; ~1% of the files changed (rewritten,
// removed, added; bench/churn.ts) with the copy mounted read-write; second backup; another ~1%; third backup; then a
// restore from the repository against the hand restore. Cold page cache before every timed run (measure.ts); the
// repository's size is `du -sb` of its folder after each backup.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ChurnPlan, applyChurn, churnPlan, listFiles } from './churn.js';
import { type DiskInfo, sourceDisk } from './disk.js';
import { type Op, type Run, dirBytes, lifeboat, timed } from './measure.js';
import { attach, detach, log, mounted, q, sh } from './process.js';
import { type Args, DISK_MIB, disks, lifeboatBin } from './settings.js';

export interface RepositoryResult {
  disk: DiskInfo;
  ops: Op[];
  /** Per rep, the repository's bytes (du -sb of its folder) after the first, second and third backup. */
  repoBytes: number[][];
  /** Per rep, the hand pipeline's file after the first, second and third backup. */
  handBytes: number[][];
  /** The two changes of a rep (the same in every rep). */
  changes: { round: number; files: number; changedBytes: number; rewritten: number; removed: number; added: number }[];
  /** One full Lifeboat folder image of the source as it was at the third backup (`lifeboat backup SRC DIR`). */
  folderImageBytes: number;
}

export const repositoryOps = (): Op[] => [
  { id: 'lb-first', phase: 'backup', label: 'Lifeboat first backup into a new repository', command: 'node dist/bundle/lifeboat.mjs backup SRC restic:DIR --password-file F --json', runs: [] },
  { id: 'hand-first', phase: 'backup', label: 'hand partclone -a0 | zstd (full)', command: 'partclone.ext4 -c -a0 -s SRCp1 -O - | zstd -T0 -3 > FILE', runs: [] },
  { id: 'lb-second', phase: 'backup', label: 'Lifeboat second backup (~1% changed)', command: 'node dist/bundle/lifeboat.mjs backup SRC restic:DIR --password-file F --json', runs: [] },
  { id: 'hand-second', phase: 'backup', label: 'hand partclone -a0 | zstd (full)', command: 'partclone.ext4 -c -a0 -s SRCp1 -O - | zstd -T0 -3 > FILE', runs: [] },
  { id: 'lb-third', phase: 'backup', label: 'Lifeboat third backup (~1% more changed)', command: 'node dist/bundle/lifeboat.mjs backup SRC restic:DIR --password-file F --json', runs: [] },
  { id: 'hand-third', phase: 'backup', label: 'hand partclone -a0 | zstd (full)', command: 'partclone.ext4 -c -a0 -s SRCp1 -O - | zstd -T0 -3 > FILE', runs: [] },
  { id: 'lb-restore', phase: 'restore', label: 'Lifeboat restore from the repository', command: 'node dist/bundle/lifeboat.mjs restore restic:DIR DST --password-file F --yes --json', runs: [] },
  { id: 'hand-restore', phase: 'restore', label: 'hand zstd -dc | partclone.restore', command: 'zstd -dc FILE | partclone.restore -s - -o DSTp1  (table written beforehand)', runs: [] },
];

const duBytes = async (dir: string) => Number((await sh('du', ['-sb', dir])).stdout.split(/\s/)[0]);

/** Mounts the source's partition read-write, applies the round's change, unmounts. */
async function change(args: Args, srcPart: string, round: number): Promise<ChurnPlan> {
  const mnt = await mkdtemp(path.join(args.dir, 'mnt-repo-'));
  await sh('mount', [srcPart, mnt]);
  mounted.add(mnt);
  try {
    const plan = churnPlan(await listFiles(mnt), round);
    await applyChurn(mnt, plan);
    return plan;
  } finally {
    await sh('umount', [mnt]);
    mounted.delete(mnt);
    await rm(mnt, { recursive: true, force: true });
  }
}

export async function runRepository(args: Args): Promise<RepositoryResult> {
  const disk = await sourceDisk(args, disks.find((d) => d.id === 'half')!);
  const dir = path.join(args.dir, 'repository');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const copy = path.join(dir, 'source-copy.img');
  const targetFile = path.join(dir, 'target.img');
  const repo = path.join(dir, 'repo');
  const handFile = path.join(dir, 'hand.ext4-ptcl-img.zst');
  const folder = path.join(dir, 'folder-image');
  const pw = path.join(dir, 'repo.pw');
  await writeFile(pw, 'lifeboat-bench-repository\n', { mode: 0o600 });
  await sh('truncate', ['-s', `${DISK_MIB}M`, targetFile]);

  const ops = repositoryOps();
  const op = (id: string) => ops.find((o) => o.id === id)!;
  const note = (id: string, r: Run) => {
    op(id).runs.push(r);
    log(args, `  ${op(id).label.padEnd(46)} ${r.durable.toFixed(2).padStart(7)} s  (to exit ${r.exit.toFixed(2)} s, CPU ${r.cpu.toFixed(2)} s, other ${(r.hostBusy - r.cpu).toFixed(2)} s)`);
  };
  const result: RepositoryResult = { disk, ops, repoBytes: [], handBytes: [], changes: [], folderImageBytes: NaN };

  let dst: string | undefined;
  let src: string | undefined;
  try {
    dst = await attach(targetFile, false);
    const dstPart = `${dst}p1`;
    for (let rep = 1; rep <= args.reps; rep++) {
      log(args, `repository, rep ${rep}/${args.reps}: a private copy of ${disk.file}, a new repository`);
      await rm(copy, { force: true });
      await sh('cp', ['--sparse=always', disk.file, copy]);
      await rm(repo, { recursive: true, force: true });
      src = await attach(copy, false);
      const srcPart = `${src}p1`;
      const repoBytes: number[] = [];
      const handBytes: number[] = [];
      const backups = async (n: 'first' | 'second' | 'third') => {
        note(`lb-${n}`, await lifeboat(['backup', src!, `restic:${repo}`, '--password-file', pw]));
        repoBytes.push(await duBytes(repo));
        await rm(handFile, { force: true });
        note(`hand-${n}`, await timed(`partclone.ext4 -c -a0 -s ${q(srcPart)} -O - 2>${q(`${handFile}.log`)} | zstd -T0 -3 -q > ${q(handFile)}`));
        handBytes.push(await dirBytes(handFile));
      };
      await backups('first');
      for (const [round, n] of [[1, 'second'], [2, 'third']] as const) {
        const plan = await change(args, srcPart, round);
        if (rep === 1) result.changes.push({ round, files: plan.rewrite.length + plan.remove.length + plan.add.length, changedBytes: plan.changedBytes, rewritten: plan.rewrite.length, removed: plan.remove.length, added: plan.add.length });
        log(args, `  changed ${(plan.changedBytes / 1024 ** 2).toFixed(1)} MiB: ${plan.rewrite.length} files rewritten, ${plan.remove.length} removed, ${plan.add.length} added`);
        await backups(n);
      }
      result.repoBytes.push(repoBytes);
      result.handBytes.push(handBytes);
      if (rep === 1) {
        // One full folder image of the third state, untimed: what three backups would take without a repository.
        await rm(folder, { recursive: true, force: true });
        await sh('node', [lifeboatBin, 'backup', src, folder, '--json']);
        result.folderImageBytes = await dirBytes(folder);
        await rm(folder, { recursive: true, force: true });
      }
      const dump = (await sh('sfdisk', ['--dump', src])).stdout.replaceAll(src, dst);
      await detach(src);
      src = undefined;

      // Restores onto the blank target: the repository's newest snapshot (the third), and the hand file (the third).
      await blank(dst);
      note('lb-restore', await lifeboat(['restore', `restic:${repo}`, dst, '--password-file', pw, '--yes']));
      if (rep === args.reps) await checkRestored(dst, dstPart);
      await blank(dst);
      await sh('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', dst], { input: dump });
      await refreshParts(dst);
      note('hand-restore', await timed(`zstd -dc -q ${q(handFile)} | partclone.restore -s - -o ${q(dstPart)} 2>${q(`${handFile}.restore.log`)}`));
      if (rep === args.reps) await checkRestored(dst, dstPart);
    }
    op('lb-restore').imageBytes = result.repoBytes.at(-1)![2];
    op('hand-restore').imageBytes = result.handBytes.at(-1)![2];
    return result;
  } finally {
    if (src) await detach(src);
    if (dst) await detach(dst);
    await rm(copy, { force: true });
    await rm(targetFile, { force: true });
    await rm(repo, { recursive: true, force: true });
    await rm(handFile, { force: true });
    await rm(folder, { recursive: true, force: true });
  }
}

async function refreshParts(dev: string): Promise<void> {
  await sh('partx', ['-d', dev], { allowFail: true });
  await sh('partx', ['-a', dev], { allowFail: true });
}

/** The target starts each restore as an empty (all-holes) disk, so every restore does the same work. */
async function blank(dev: string): Promise<void> {
  await sh('partx', ['-d', dev], { allowFail: true });
  await sh('blkdiscard', ['-f', dev]);
}

/** Untimed: the restored filesystem is whole and is the source's. */
async function checkRestored(dev: string, part: string): Promise<void> {
  await refreshParts(dev);
  await sh('e2fsck', ['-f', '-n', part]);
  const uuid = (await sh('blkid', ['-p', '-o', 'value', '-s', 'UUID', part])).stdout.trim();
  if (uuid !== '4c494645-b0a7-4b4e-8c48-000000000003') throw new Error(`restored filesystem has UUID ${uuid}`);
}

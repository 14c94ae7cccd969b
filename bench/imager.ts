// Benchmark: Lifeboat backup and restore of a 4 GiB, half-full ext4 disk, timed side by side with the hand-typed
// `partclone.ext4 -c | zstd -T0` pipeline and with `dd | zstd -T0`, cold page cache before every run.
// Run as root: npm run bench [-- --reps N] [-- --json] [-- --rebuild]
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sourceDisk } from './disk.js';
import { type Op, type Run, dirBytes, gib, lifeboat, timed } from './measure.js';
import { attach, cleanup, log, onSignal, q, sh, stopper } from './process.js';
import { report } from './report.js';
import { DISK_MIB, lifeboatBin, parseArgs } from './settings.js';

// ---------------------------------------------------------------- main

async function machine(dir: string): Promise<Record<string, unknown>> {
  const version = async (cmd: string, a: string[]) => {
    const r = await sh(cmd, a, { allowFail: true });
    return `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.trim())?.trim();
  };
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model,
    memBytes: os.totalmem(),
    kernel: os.release(),
    node: process.version,
    workDir: dir,
    workDirFs: (await sh('findmnt', ['-n', '-o', 'SOURCE,FSTYPE', '--target', dir], { allowFail: true })).stdout.trim(),
    partclone: await version('partclone.ext4', ['-v']),
    zstd: await version('zstd', ['--version']),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root (loop devices, mount, drop_caches)');
  await stat(lifeboatBin).catch(() => {
    throw new Error(`${lifeboatBin} is missing: run npm run build`);
  });
  await mkdir(args.dir, { recursive: true });
  const benchStart = performance.now();
  const host = await machine(args.dir);
  log(args, `machine: ${host['nproc']} CPUs (${host['cpu']}), ${gib(Number(host['memBytes']))} RAM, kernel ${host['kernel']}, node ${host['node']}`);
  const disk = await sourceDisk(args);

  const out = path.join(args.dir, 'out');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const targetFile = path.join(args.dir, 'target.img');
  await rm(targetFile, { force: true });
  await sh('truncate', ['-s', `${DISK_MIB}M`, targetFile]);

  const src = await attach(disk.file, true);
  const dst = await attach(targetFile, false);
  const srcPart = `${src}p1`;
  const dstPart = `${dst}p1`;
  log(args, `source ${src} (${disk.file}, read-only), target ${dst} (${targetFile})`);
  const dump = (await sh('sfdisk', ['--dump', src])).stdout;

  const lbImage = path.join(out, 'lifeboat-img');
  const handFile = path.join(out, 'hand.ext4-ptcl-img.zst');
  const handCrcFile = path.join(out, 'hand-crc.ext4-ptcl-img.zst');
  const ddFile = path.join(out, 'disk.dd.zst');
  const ops: Op[] = [
    { id: 'lb-backup', phase: 'backup', label: 'Lifeboat backup (CLI)', command: `node dist/cli/main.js backup ${src} ${lbImage} --json`, runs: [] },
    { id: 'hand-backup', phase: 'backup', label: 'hand partclone -a0 | zstd', command: `partclone.ext4 -c -a0 -s ${srcPart} -O - | zstd -T0 -3 > FILE`, runs: [] },
    { id: 'hand-crc-backup', phase: 'backup', label: 'hand partclone (CRC) | zstd', command: `partclone.ext4 -c -s ${srcPart} -O - | zstd -T0 -3 > FILE`, runs: [] },
    { id: 'dd-backup', phase: 'backup', label: 'dd | zstd', command: `dd if=${src} bs=4M | zstd -T0 -3 > FILE`, runs: [] },
    { id: 'lb-restore', phase: 'restore', label: 'Lifeboat restore (CLI)', command: `node dist/cli/main.js restore ${lbImage} ${dst} --yes --json`, runs: [] },
    { id: 'hand-restore', phase: 'restore', label: 'hand zstd -dc | partclone.restore', command: `zstd -dc FILE | partclone.restore -s - -o ${dstPart}  (table written beforehand)`, runs: [] },
    { id: 'dd-restore', phase: 'restore', label: 'zstd -dc | dd', command: `zstd -dc FILE | dd of=${dst} bs=4M`, runs: [] },
  ];
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

  for (let rep = 1; rep <= args.reps; rep++) {
    log(args, `rep ${rep}/${args.reps}`);
    const note = (o: Op, r: Run) => log(args, `  ${o.label.padEnd(34)} ${r.durable.toFixed(2).padStart(7)} s  (to exit ${r.exit.toFixed(2)} s, CPU ${r.cpu.toFixed(2)} s, other ${(r.hostBusy - r.cpu).toFixed(2)} s)`);
    // Backups, interleaved so that drift of the host affects all alike.
    await rm(lbImage, { recursive: true, force: true });
    let r = await lifeboat(['backup', src, lbImage]);
    op('lb-backup').runs.push(r);
    note(op('lb-backup'), r);
    for (const [id, file, crc] of [['hand-backup', handFile, '-a0 '], ['hand-crc-backup', handCrcFile, '']] as const) {
      await rm(file, { force: true });
      r = await timed(`partclone.ext4 -c ${crc}-s ${q(srcPart)} -O - 2>${q(`${file}.log`)} | zstd -T0 -3 -q > ${q(file)}`);
      op(id).runs.push(r);
      note(op(id), r);
    }
    await rm(ddFile, { force: true });
    r = await timed(`dd if=${q(src)} bs=4M status=none | zstd -T0 -3 -q > ${q(ddFile)}`);
    op('dd-backup').runs.push(r);
    note(op('dd-backup'), r);

    // Restores onto the blank target.
    await blankTarget();
    r = await lifeboat(['restore', lbImage, dst, '--yes']);
    op('lb-restore').runs.push(r);
    note(op('lb-restore'), r);
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
    r = await timed(`zstd -dc -q ${q(handFile)} | partclone.restore -s - -o ${q(dstPart)} 2>${q(`${handFile}.restore.log`)}`);
    op('hand-restore').runs.push(r);
    note(op('hand-restore'), r);

    await blankTarget();
    r = await timed(`zstd -dc -q ${q(ddFile)} | dd of=${q(dst)} bs=4M status=none`);
    op('dd-restore').runs.push(r);
    note(op('dd-restore'), r);
  }
  op('lb-backup').imageBytes = await dirBytes(lbImage);
  op('hand-backup').imageBytes = await dirBytes(handFile);
  op('hand-crc-backup').imageBytes = await dirBytes(handCrcFile);
  op('dd-backup').imageBytes = await dirBytes(ddFile);
  for (const [id, from] of [['lb-restore', 'lb-backup'], ['hand-restore', 'hand-backup'], ['dd-restore', 'dd-backup']] as const) op(id).imageBytes = op(from).imageBytes!;

  // Fairness check: Lifeboat's partition image and the hand pipeline's must be the same bytes (same partclone flags).
  const manifest = JSON.parse(await readFile(path.join(lbImage, 'lifeboat.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
  const lbPart = Object.entries(manifest.files).find(([f]) => f.includes('-ptcl-img.'));
  const handSha = (await sh('sha256sum', [handFile])).stdout.split(' ')[0];
  const sameImage = lbPart !== undefined && lbPart[1].sha256 === handSha;
  report(args, host, disk, ops, (performance.now() - benchStart) / 1000, sameImage);
}

// ---------------------------------------------------------------- entry

process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGHUP', () => onSignal('SIGHUP'));

try {
  await main();
} catch (e) {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = stopper.signal.aborted ? 130 : 1;
} finally {
  await cleanup();
}


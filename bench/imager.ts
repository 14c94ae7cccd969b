// Benchmark: Lifeboat backup and restore of a 4 GiB, half-full ext4 disk, timed side by side with the hand-typed
// `partclone.ext4 -c | zstd -T0` pipeline and with `dd | zstd -T0`, cold page cache before every run.
// Run as root: npm run bench [-- --reps N] [-- --json] [-- --rebuild]
import { execa, type ResultPromise } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile, open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Bump when the disk recipe changes: a cached disk of another version is rebuilt.
const DISK_VERSION = 'v1-gpt-ext4-4g-half';
const DISK_MIB = 4096;
const TARGET_FACTOR = 0.05; // Lifeboat may be at most 5% slower than the hand pipeline

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// LIFEBOAT_BENCH_CLI points at another build of the CLI (e.g. an older one, to measure a change before and after).
const lifeboatBin = process.env['LIFEBOAT_BENCH_CLI'] ?? path.join(repoRoot, 'dist/cli/main.js');

// ---------------------------------------------------------------- arguments

interface Args {
  reps: number;
  json: boolean;
  rebuild: boolean;
  dir: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { reps: 3, json: false, rebuild: false, dir: process.env['LIFEBOAT_BENCH_DIR'] ?? '/var/tmp/lifeboat-bench' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--rebuild') args.rebuild = true;
    else if (a === '--reps' || a.startsWith('--reps=')) {
      const v = a.includes('=') ? a.slice(7) : argv[++i];
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--reps wants a positive integer, not '${v}'`);
      args.reps = n;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node dist/bench/imager.js [--reps N] [--json] [--rebuild]\n  work dir: $LIFEBOAT_BENCH_DIR (default /var/tmp/lifeboat-bench); CLI: $LIFEBOAT_BENCH_CLI (default dist/cli/main.js)\n');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}'`);
  }
  return args;
}

// ---------------------------------------------------------------- processes, interruption, cleanup

const stopper = new AbortController();
let running: ResultPromise | undefined;

function log(args: Args, msg: string): void {
  // Progress goes to stderr so that --json output on stdout stays clean.
  if (!args.json || process.stderr.isTTY) process.stderr.write(`${msg}\n`);
}

/** Runs a command in its own process group (so an interrupt can stop a whole pipeline) and throws on failure. */
async function sh(file: string, argv: string[], opts: { input?: string; onLine?: (line: string) => void; allowFail?: boolean } = {}): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  if (stopper.signal.aborted) throw new Error('interrupted');
  const child = execa(file, argv, {
    reject: false,
    detached: true,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' }),
    stdout: 'pipe',
    stderr: 'pipe',
    lines: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  running = child;
  if (opts.onLine) {
    let rest = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      rest += d;
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) opts.onLine!(p);
    });
  }
  const r = await child;
  running = undefined;
  if (stopper.signal.aborted) throw new Error('interrupted');
  const exitCode = r.exitCode ?? -1;
  if (exitCode !== 0 && !opts.allowFail) {
    throw new Error(`${file} ${argv.join(' ')} failed (${r.exitCode ?? r.signal}):\n${String(r.stderr).slice(-3000)}${String(r.stdout).slice(-2000)}`);
  }
  return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode };
}

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

const attached = new Set<string>();
const mounted = new Set<string>();

async function attach(file: string, readOnly: boolean): Promise<string> {
  const { stdout } = await sh('losetup', [...(readOnly ? ['-r'] : []), '-f', '--show', file]);
  const dev = stdout.trim();
  attached.add(dev);
  // The host kernel does not scan partition tables: add the partitions ourselves.
  await sh('partx', ['-a', dev], { allowFail: true });
  return dev;
}

async function detach(dev: string): Promise<void> {
  await execa('partx', ['-d', dev], { reject: false });
  await execa('losetup', ['-d', dev], { reject: false });
  attached.delete(dev);
}

async function cleanup(): Promise<void> {
  for (const m of [...mounted]) {
    await execa('umount', [m], { reject: false });
    mounted.delete(m);
  }
  // Only the devices this process attached, one by one; never `losetup -D`.
  for (const d of [...attached]) await detach(d);
}

function onSignal(sig: NodeJS.Signals): void {
  if (stopper.signal.aborted) return;
  process.stderr.write(`\nbench: ${sig}, stopping and detaching loop devices…\n`);
  stopper.abort();
  const pid = running?.pid;
  if (pid !== undefined) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

// ---------------------------------------------------------------- the test disk

/** Small deterministic PRNG (xorshift32) for the text-like data; the random data comes from crypto. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** ~32 MiB of log-like text: timestamps, hosts, a vocabulary of words, numbers. Compresses about 3-5x with zstd -3. */
function textPool(bytes: number): Buffer {
  const rnd = prng(0x11fe_b0a7);
  const syll = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'te', 'vo', 'zi', 'pe', 'da', 'gu', 'fo', 'ba', 'xe', 'ty', 'an', 'or', 'el', 'is'];
  const words: string[] = [];
  for (let i = 0; i < 800; i++) {
    let w = '';
    const n = 1 + (rnd() % 4);
    for (let j = 0; j < n; j++) w += syll[rnd() % syll.length];
    words.push(w);
  }
  const hosts = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
  const levels = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
  const parts: string[] = [];
  let size = 0;
  let t = 1_700_000_000;
  while (size < bytes) {
    t += rnd() % 3;
    let line = `${new Date(t * 1000).toISOString()} ${hosts[rnd() % hosts.length]} svc[${1000 + (rnd() % 9000)}]: ${levels[rnd() % levels.length]}`;
    const n = 4 + (rnd() % 12);
    for (let i = 0; i < n; i++) line += ` ${words[Math.floor(Math.pow((rnd() % 10000) / 10000, 2) * words.length)]}`;
    line += ` id=${(rnd() % 1_000_000).toString(16)} took=${rnd() % 5000}ms\n`;
    parts.push(line);
    size += line.length;
  }
  return Buffer.from(parts.join(''), 'latin1').subarray(0, bytes);
}

interface DiskInfo {
  version: string;
  file: string;
  sizeBytes: number;
  written: { randomBytes: number; textBytes: number; repeatedBytes: number; files: number };
  fsUsedBytes: number;
  fsSizeBytes: number;
  builtAt: string;
  buildSeconds: number;
}

async function writeChunked(file: string, total: number, chunk: (n: number) => Buffer): Promise<void> {
  const fh = await open(file, 'wx');
  try {
    let left = total;
    while (left > 0) {
      const n = Math.min(left, 4 * 1024 * 1024);
      await fh.write(chunk(n));
      left -= n;
    }
  } finally {
    await fh.close();
  }
}

async function fillFilesystem(root: string): Promise<DiskInfo['written']> {
  const MiB = 1024 * 1024;
  let files = 0;
  let randomTotal = 0;
  let textTotal = 0;
  let repeatedTotal = 0;
  // Incompressible: 1 GiB random — 4 big files of 128 MiB (media, archives) and 2048 files of 256 KiB.
  await mkdir(path.join(root, 'media'), { recursive: true });
  for (let i = 0; i < 4; i++) {
    await writeChunked(path.join(root, 'media', `video${i}.bin`), 128 * MiB, (n) => randomBytes(n));
    randomTotal += 128 * MiB;
    files++;
  }
  for (let i = 0; i < 2048; i++) {
    const dir = path.join(root, 'photos', `d${i % 32}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `img${i}.jpg`), randomBytes(256 * 1024));
    randomTotal += 256 * 1024;
    files++;
  }
  // Compressible text: 768 MiB of log-like lines — 32 files of 8 MiB and 8192 files of 64 KiB, cut from a 32 MiB pool.
  const pool = textPool(32 * MiB);
  const rnd = prng(0x5eed);
  const slice = (n: number) => {
    const off = rnd() % (pool.length - n);
    return pool.subarray(off, off + n);
  };
  await mkdir(path.join(root, 'logs'), { recursive: true });
  for (let i = 0; i < 32; i++) {
    await writeChunked(path.join(root, 'logs', `app${i}.log`), 8 * MiB, (n) => slice(n));
    textTotal += 8 * MiB;
    files++;
  }
  for (let i = 0; i < 8192; i++) {
    const dir = path.join(root, 'src', `m${i % 64}`, `p${i % 7}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `f${i}.txt`), slice(64 * 1024));
    textTotal += 64 * 1024;
    files++;
  }
  // Highly repetitive: 256 MiB — 1024 files of 256 KiB filled with a short repeated pattern (as in the test fixtures).
  for (let i = 0; i < 1024; i++) {
    const dir = path.join(root, 'data', `t${i % 16}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `table${i}.dat`), Buffer.alloc(256 * 1024, `row-${i}-lifeboat-bench;`));
    repeatedTotal += 256 * 1024;
    files++;
  }
  return { randomBytes: randomTotal, textBytes: textTotal, repeatedBytes: repeatedTotal, files };
}

async function fsUsage(part: string): Promise<{ used: number; size: number }> {
  const { stdout } = await sh('dumpe2fs', ['-h', part]);
  const f = (k: string) => Number(new RegExp(`^${k}:\\s*(\\d+)`, 'm').exec(stdout)?.[1] ?? NaN);
  return { used: (f('Block count') - f('Free blocks')) * f('Block size'), size: f('Block count') * f('Block size') };
}

/** The source disk: GPT, one ext4 partition filling a 4 GiB sparse file, about half full. Cached by DISK_VERSION. */
async function sourceDisk(args: Args): Promise<DiskInfo> {
  const file = path.join(args.dir, `source-${DISK_VERSION}.img`);
  const infoFile = `${file}.json`;
  if (!args.rebuild) {
    try {
      const info = JSON.parse(await readFile(infoFile, 'utf8')) as DiskInfo;
      const st = await stat(file);
      if (info.version === DISK_VERSION && st.size === DISK_MIB * 1024 * 1024) {
        log(args, `using cached test disk ${file}`);
        return info;
      }
    } catch {
      /* not built yet */
    }
  }
  log(args, `building the test disk ${file} (4 GiB, ext4, ~2 GiB of data; cached for later runs)…`);
  const t0 = performance.now();
  // Old versions of the disk go; so does a half-built one.
  for (const f of await readdir(args.dir)) if (f.startsWith('source-')) await rm(path.join(args.dir, f), { force: true });
  const partial = `${file}.partial`;
  await sh('truncate', ['-s', `${DISK_MIB}M`, partial]);
  await sh('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', partial], {
    input: ['label: gpt', 'label-id: 4C494645-B0A7-4B4E-8C48-000000000001', 'start=2048, type=0FC63DAF-8483-4772-8E79-3D69E4779FBE, name="benchroot", uuid=4C494645-B0A7-4B4E-8C48-000000000002'].join('\n'),
  });
  const dev = await attach(partial, false);
  let written: DiskInfo['written'];
  let usage: { used: number; size: number };
  try {
    const part = `${dev}p1`;
    await sh('mkfs.ext4', ['-q', '-F', '-L', 'benchroot', '-U', '4c494645-b0a7-4b4e-8c48-000000000003', '-E', 'lazy_itable_init=0,lazy_journal_init=0', part]);
    const mnt = await mkdtemp(path.join(args.dir, 'mnt-'));
    await sh('mount', [part, mnt]);
    mounted.add(mnt);
    try {
      written = await fillFilesystem(mnt);
    } finally {
      await sh('umount', [mnt]);
      mounted.delete(mnt);
      await rm(mnt, { recursive: true, force: true });
    }
    usage = await fsUsage(part);
  } finally {
    await detach(dev);
  }
  await rename(partial, file);
  const info: DiskInfo = {
    version: DISK_VERSION,
    file,
    sizeBytes: DISK_MIB * 1024 * 1024,
    written,
    fsUsedBytes: usage.used,
    fsSizeBytes: usage.size,
    builtAt: new Date().toISOString(),
    buildSeconds: (performance.now() - t0) / 1000,
  };
  await writeFile(infoFile, `${JSON.stringify(info, null, 2)}\n`);
  log(args, `  built in ${info.buildSeconds.toFixed(0)} s: ${gib(usage.used)} used of ${gib(usage.size)}`);
  return info;
}

// ---------------------------------------------------------------- measuring

interface Run {
  /** Seconds from start until the command exited. */
  exit: number;
  /** Seconds until the command exited and a following `sync` returned: the data is on disk. */
  durable: number;
  /** CPU seconds (user + system) of the command and everything it started and waited for. */
  cpu: number;
  /** CPU seconds the whole host was busy during the run (all CPUs, every process and kernel thread). */
  hostBusy: number;
  /** Lifeboat only: seconds since start at which each JSON event arrived. */
  phases?: Record<string, number>;
}

interface Op {
  id: string;
  phase: 'backup' | 'restore';
  label: string;
  command: string;
  runs: Run[];
  imageBytes?: number;
}

async function dropCaches(): Promise<void> {
  await sh('sync', []);
  await writeFile('/proc/sys/vm/drop_caches', '3\n');
}

/** Busy CPU seconds of the host since boot, from /proc/stat (USER_HZ = 100). */
async function hostBusySeconds(): Promise<number> {
  const first = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const [user, nice, system, , , irq, softirq, steal] = first.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
}

/**
 * Runs a shell pipeline with a cold page cache and times it: until it exits, and until a `sync` after it returns.
 * bash's `times` reports the CPU of every process the pipeline started (descendants that were waited for).
 */
async function timed(script: string, onLine?: (line: string, at: number) => void): Promise<Run> {
  await dropCaches();
  const busy0 = await hostBusySeconds();
  const t0 = performance.now();
  const r = await sh('bash', ['-c', `set -euo pipefail; ${script}; times >&2`], onLine ? { onLine: (l) => onLine(l, (performance.now() - t0) / 1000) } : {});
  const t1 = performance.now();
  await sh('sync', []);
  const t2 = performance.now();
  const busy1 = await hostBusySeconds();
  const m = [...r.stderr.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)].at(-1);
  const cpu = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : NaN;
  return { exit: (t1 - t0) / 1000, durable: (t2 - t0) / 1000, cpu, hostBusy: busy1 - busy0 };
}

/** Runs the Lifeboat CLI with --json and notes when each event arrived (for a phase breakdown). */
async function lifeboat(argv: string[]): Promise<Run> {
  const phases: Record<string, number> = {};
  let step = 0;
  const run = await timed(['node', lifeboatBin, ...argv, '--json'].map(q).join(' '), (line, at) => {
    if (!line.startsWith('{')) return;
    const e = JSON.parse(line) as { type: string; message?: string; partition?: string; seconds?: number };
    if (e.type === 'start') phases['start'] = at;
    else if (e.type === 'step') phases[`step${++step}: ${e.message}`] = at;
    else if (e.type === 'partition-done') {
      phases[`${e.partition} done`] = at;
      if (e.seconds !== undefined) phases[`${e.partition} seconds (own timer)`] = e.seconds;
    } else if (e.type === 'done') phases['done'] = at;
    else if (e.type === 'result') phases['result'] = at;
  });
  return { ...run, phases };
}

async function dirBytes(p: string): Promise<number> {
  const st = await stat(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const f of await readdir(p)) n += await dirBytes(path.join(p, f));
  return n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const gib = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`;
const mibs = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB`;

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

// ---------------------------------------------------------------- report

interface Stat {
  median: number;
  min: number;
  max: number;
}
const stats = (xs: number[]): Stat => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

function report(args: Args, host: Record<string, unknown>, disk: DiskInfo, ops: Op[], totalSeconds: number, sameImage: boolean): void {
  const o = (id: string) => ops.find((x) => x.id === id)!;
  const rows = ops.map((x) => ({
    ...x,
    exitStat: stats(x.runs.map((r) => r.exit)),
    durableStat: stats(x.runs.map((r) => r.durable)),
    cpuStat: stats(x.runs.map((r) => r.cpu)),
    // Busy CPU of the host that was not the command's own: other users, and kernel threads (writeback, loop workers).
    otherStat: stats(x.runs.map((r) => r.hostBusy - r.cpu)),
  }));
  const row = (id: string) => rows.find((x) => x.id === id)!;
  const verdicts = (['backup', 'restore'] as const).map((phase) => {
    const lb = row(`lb-${phase}`);
    const hand = row(`hand-${phase}`);
    const dd = row(`dd-${phase}`);
    const ratio = lb.durableStat.median / hand.durableStat.median;
    return {
      phase,
      lifeboatSeconds: lb.durableStat.median,
      handSeconds: hand.durableStat.median,
      ddSeconds: dd.durableStat.median,
      ratioHand: ratio,
      ratioDd: lb.durableStat.median / dd.durableStat.median,
      ratioHandToExit: lb.exitStat.median / hand.exitStat.median,
      ratioHandCpu: lb.cpuStat.median / hand.cpuStat.median,
      pass: ratio <= 1 + TARGET_FACTOR,
      overBy: ratio - 1,
    };
  });
  // Lifeboat phase breakdown: median arrival time of each event.
  const phases = (id: string) => {
    const keys = Object.keys(o(id).runs[0]?.phases ?? {});
    return Object.fromEntries(keys.map((k) => [k, median(o(id).runs.map((r) => r.phases?.[k] ?? NaN))]));
  };
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'lifeboat-imager',
          target: `Lifeboat within ${TARGET_FACTOR * 100}% of the hand pipeline (wall time of the command plus a sync)`,
          machine: host,
          disk,
          reps: args.reps,
          totalSeconds,
          operations: rows.map((x) => ({
            id: x.id,
            phase: x.phase,
            label: x.label,
            command: x.command,
            imageBytes: x.imageBytes,
            seconds: x.durableStat,
            secondsToExit: x.exitStat,
            cpuSeconds: x.cpuStat,
            otherCpuSeconds: x.otherStat,
            runs: x.runs,
          })),
          lifeboatPhases: { backup: phases('lb-backup'), restore: phases('lb-restore') },
          verdicts,
          lifeboatImageEqualsHand: sameImage,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const p = (s: string, n: number) => s.padEnd(n);
  const l = (s: string, n: number) => s.padStart(n);
  const lines: string[] = [];
  lines.push('');
  lines.push(`Lifeboat imager benchmark — ${args.reps} rep(s) each, interleaved, cold page cache (sync; drop_caches 3) before every run`);
  lines.push(`machine: nproc ${host['nproc']} (${host['cpu']}), RAM ${gib(Number(host['memBytes']))}, kernel ${host['kernel']}, node ${host['node']}; work dir ${host['workDir']} on ${host['workDirFs']}`);
  lines.push(`tools:   ${host['partclone']}; ${host['zstd']}`);
  lines.push(`disk:    ${gib(disk.sizeBytes)} GPT, one ext4 partition: ${gib(disk.fsUsedBytes)} used of ${gib(disk.fsSizeBytes)} (${mibs(disk.written.randomBytes)} random, ${mibs(disk.written.textBytes)} log-like text, ${mibs(disk.written.repeatedBytes)} repetitive; ${disk.written.files} files)`);
  lines.push('');
  const W = [38, 9, 14, 9, 8, 8, 10, 7, 7];
  lines.push(`${p('operation', W[0]!)}${l('median s', W[1]!)}${l('min–max', W[2]!)}${l('to exit', W[3]!)}${l('CPU s', W[4]!)}${l('other', W[5]!)}${l('image', W[6]!)}${l('÷hand', W[7]!)}${l('÷dd', W[8]!)}  verdict`);
  lines.push('-'.repeat(W.reduce((a, b) => a + b, 0) + 34));
  for (const phase of ['backup', 'restore'] as const) {
    for (const x of rows.filter((r) => r.phase === phase)) {
      const v = verdicts.find((y) => y.phase === phase)!;
      const hand = row(`hand-${phase}`).durableStat.median;
      const dd = row(`dd-${phase}`).durableStat.median;
      const verdict = x.id.startsWith('lb-') ? (v.pass ? `PASS (${fmtPct(v.overBy)} vs hand)` : `MISS by ${fmtPct(v.overBy - TARGET_FACTOR)} (${fmtPct(v.overBy)} vs hand)`) : '';
      lines.push(
        [
          p(`${phase} ${x.label}`, W[0]!),
          l(x.durableStat.median.toFixed(2), W[1]!),
          l(`${x.durableStat.min.toFixed(2)}–${x.durableStat.max.toFixed(2)}`, W[2]!),
          l(x.exitStat.median.toFixed(2), W[3]!),
          l(x.cpuStat.median.toFixed(2), W[4]!),
          l(x.otherStat.median.toFixed(2), W[5]!),
          l(x.imageBytes !== undefined ? mibs(x.imageBytes) : '-', W[6]!),
          l((x.durableStat.median / hand).toFixed(3), W[7]!),
          l((x.durableStat.median / dd).toFixed(3), W[8]!),
          `  ${verdict}`,
        ].join(''),
      );
    }
  }
  lines.push('');
  lines.push('median s / min–max: wall seconds from start until the command exited and a following `sync` returned, i.e. until the data is on');
  lines.push('  disk (Lifeboat fsyncs its image files and syncs after a restore; the hand pipelines do neither). "to exit": without that sync.');
  lines.push('CPU s: user+system seconds of the command and all it started (median). other: host CPU seconds busy meanwhile that were not');
  lines.push('  the command\'s (writeback and loop kernel threads, and anyone else on the machine; large values mean a noisy host).');
  lines.push(`image: bytes written by the backup, read by the restore. ÷hand, ÷dd: ratios of the medians. Lifeboat's partition image ${sameImage ? 'is byte for byte' : 'is NOT'} the hand pipeline's.`);
  lines.push('Note: partclone leaves only on a tick of its progress timer (-f, default 2 s), so every partclone run is rounded up to ~2 s steps.');
  lines.push(`Target: Lifeboat within ${TARGET_FACTOR * 100}% of the hand pipeline (partclone.ext4 -c -a0 | zstd -T0 -3; restore: zstd -dc | partclone.restore).`);
  for (const v of verdicts)
    lines.push(
      `  ${v.phase}: Lifeboat/hand ${v.ratioHand.toFixed(3)} (to exit ${v.ratioHandToExit.toFixed(3)}, CPU ${v.ratioHandCpu.toFixed(3)}), Lifeboat/dd ${v.ratioDd.toFixed(3)} → ${v.pass ? 'PASS' : `MISS by ${fmtPct(v.overBy - TARGET_FACTOR)} beyond the 5% allowed`}`,
    );
  lines.push('');
  for (const id of ['lb-backup', 'lb-restore']) {
    lines.push(`Lifeboat ${id.slice(3)} timeline (median seconds since start at which each --json event arrived):`);
    for (const [k, v] of Object.entries(phases(id))) lines.push(`  ${v.toFixed(2).padStart(7)}  ${k}`);
  }
  lines.push('');
  lines.push(`bench total ${totalSeconds.toFixed(0)} s`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function fmtPct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
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

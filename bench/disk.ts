// The benchmark's source disks: 4 GiB GPT disks with one ext4 partition, half or a quarter full of mixed data, cached.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile, open } from 'node:fs/promises';
import path from 'node:path';
import { gib } from './measure.js';
import { attach, detach, log, mounted, sh } from './process.js';
import { type Args, DISK_MIB, type DiskSpec } from './settings.js';

// ---------------------------------------------------------------- the test disk

/** Small deterministic PRNG (xorshift32) for the text-like data; the random data comes from crypto. */
export function prng(seed: number): () => number {
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
export function textPool(bytes: number): Buffer {
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

export interface DiskInfo {
  version: string;
  file: string;
  sizeBytes: number;
  written: { randomBytes: number; textBytes: number; repeatedBytes: number; files: number };
  fsUsedBytes: number;
  fsSizeBytes: number;
  builtAt: string;
  buildSeconds: number;
}

export async function writeChunked(file: string, total: number, chunk: (n: number) => Buffer): Promise<void> {
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

/** Writes the mix of data; scale 1 is about 2 GiB (half of the disk), 0.5 about 1 GiB. */
export async function fillFilesystem(root: string, scale: number): Promise<DiskInfo['written']> {
  const MiB = 1024 * 1024;
  const n = (count: number) => Math.round(count * scale);
  let files = 0;
  let randomTotal = 0;
  let textTotal = 0;
  let repeatedTotal = 0;
  // Incompressible (at scale 1): 1 GiB random — 4 big files of 128 MiB (media, archives) and 2048 files of 256 KiB.
  await mkdir(path.join(root, 'media'), { recursive: true });
  for (let i = 0; i < n(4); i++) {
    await writeChunked(path.join(root, 'media', `video${i}.bin`), 128 * MiB, (n) => randomBytes(n));
    randomTotal += 128 * MiB;
    files++;
  }
  for (let i = 0; i < n(2048); i++) {
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
  for (let i = 0; i < n(32); i++) {
    await writeChunked(path.join(root, 'logs', `app${i}.log`), 8 * MiB, (n) => slice(n));
    textTotal += 8 * MiB;
    files++;
  }
  for (let i = 0; i < n(8192); i++) {
    const dir = path.join(root, 'src', `m${i % 64}`, `p${i % 7}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `f${i}.txt`), slice(64 * 1024));
    textTotal += 64 * 1024;
    files++;
  }
  // Highly repetitive: 256 MiB — 1024 files of 256 KiB filled with a short repeated pattern (as in the test fixtures).
  for (let i = 0; i < n(1024); i++) {
    const dir = path.join(root, 'data', `t${i % 16}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `table${i}.dat`), Buffer.alloc(256 * 1024, `row-${i}-lifeboat-bench;`));
    repeatedTotal += 256 * 1024;
    files++;
  }
  return { randomBytes: randomTotal, textBytes: textTotal, repeatedBytes: repeatedTotal, files };
}

export async function fsUsage(part: string): Promise<{ used: number; size: number }> {
  const { stdout } = await sh('dumpe2fs', ['-h', part]);
  const f = (k: string) => Number(new RegExp(`^${k}:\\s*(\\d+)`, 'm').exec(stdout)?.[1] ?? NaN);
  return { used: (f('Block count') - f('Free blocks')) * f('Block size'), size: f('Block count') * f('Block size') };
}

/** A source disk: GPT, one ext4 partition filling a 4 GiB sparse file, filled to spec.scale. Cached by spec.version. */
export async function sourceDisk(args: Args, spec: DiskSpec): Promise<DiskInfo> {
  const file = path.join(args.dir, `source-${spec.version}.img`);
  const infoFile = `${file}.json`;
  if (!args.rebuild) {
    try {
      const info = JSON.parse(await readFile(infoFile, 'utf8')) as DiskInfo;
      const st = await stat(file);
      if (info.version === spec.version && st.size === DISK_MIB * 1024 * 1024) {
        log(args, `using cached test disk ${file}`);
        return info;
      }
    } catch {
      /* not built yet */
    }
  }
  log(args, `building the test disk ${file} (4 GiB, ext4, ~${(2 * spec.scale).toFixed(1)} GiB of data; cached for later runs)…`);
  const t0 = performance.now();
  // Old versions of this disk go (same fill, other recipe version); so does a half-built one.
  const kind = spec.version.replace(/^v\d+-/, '');
  for (const f of await readdir(args.dir)) if (f.startsWith('source-') && f.includes(kind)) await rm(path.join(args.dir, f), { force: true });
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
      written = await fillFilesystem(mnt, spec.scale);
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
    version: spec.version,
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


// Test helper: a local restic repository for a test (its password file, its URI, the test's own private folder for
// Lifeboat's restic work), restic run directly to look at what is in it, and ~1% of a disk's files changed.
import { execa } from 'execa';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { withMount, type LoopDisk } from './loop.js';

export interface TestRepository {
  /** restic:PATH */
  uri: string;
  path: string;
  passwordFile: string;
  /** The CLI's password option. */
  access: string[];
  /** LIFEBOAT_REPOSITORY_TMP: Lifeboat's private restic folders go here, so a leftover is seen. */
  env: Record<string, string>;
  /** restic itself on the repository (for the test's own looks: snapshots, check). */
  restic(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  snapshots(): Promise<Array<{ id: string; short_id: string; time: string; hostname: string; tags?: string[] }>>;
}

export async function testRepository(dir: string, name = 'repo'): Promise<TestRepository> {
  const passwordFile = path.join(dir, `${name}.password`);
  await writeFile(passwordFile, `correct horse ${randomBytes(6).toString('hex')}\n`, { mode: 0o600 });
  const tmp = path.join(dir, `${name}-tmp`);
  await mkdir(tmp, { recursive: true });
  const repoPath = path.join(dir, name);
  const restic = async (args: string[]) => {
    const r = await execa('restic', ['--no-cache', '-r', repoPath, ...args], { reject: false, env: { RESTIC_PASSWORD_FILE: passwordFile } });
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  return {
    uri: `restic:${repoPath}`,
    path: repoPath,
    passwordFile,
    access: ['--password-file', passwordFile],
    env: { LIFEBOAT_REPOSITORY_TMP: tmp },
    restic,
    async snapshots() {
      const r = await restic(['snapshots', '--json']);
      if (r.exitCode !== 0) throw new Error(`restic snapshots: ${r.stderr}`);
      return JSON.parse(r.stdout || '[]') ?? [];
    },
  };
}

/** Nothing of Lifeboat's restic work is left in the private folder (no mount, no staging folder, no password file). */
export async function privateLeft(repo: TestRepository): Promise<string[]> {
  return readdir(repo.env['LIFEBOAT_REPOSITORY_TMP']!);
}

/**
 * About 1% of the GPT fixture's files changed, as a day of use would: on the ext4 root (3000 files) 10 added, 10
 * removed and 10 rewritten; on the xfs data partition (400 files) 2 of each. Round makes each round's changes its own.
 */
export async function changeOnePercent(disk: LoopDisk, round: number): Promise<void> {
  const change = async (d: string, prefix: string, n: number) => {
    const files: string[] = [];
    const walk = async (p: string): Promise<void> => {
      for (const e of await readdir(p, { withFileTypes: true })) {
        const f = path.join(p, e.name);
        if (e.isDirectory() && e.name !== 'lost+found') await walk(f);
        else if (e.isFile() && e.name.startsWith(prefix)) files.push(f);
      }
    };
    await walk(d);
    files.sort();
    const pick = (i: number) => files[(round * 97 + i * 31) % files.length]!;
    const doomed = new Set<string>();
    for (let i = 0; i < n; i++) doomed.add(pick(i));
    for (const f of doomed) await rm(f, { force: true });
    for (let i = 0; i < n; i++) {
      const f = pick(n + i);
      if (!doomed.has(f)) await writeFile(f, randomBytes(5000 + i * 100));
    }
    await mkdir(path.join(d, `round${round}`), { recursive: true });
    for (let i = 0; i < n; i++) await writeFile(path.join(d, `round${round}`, `new${i}.bin`), randomBytes(8000 + i * 500));
  };
  await withMount(disk.part(2), (d) => change(d, 'root', 10));
  await withMount(disk.part(3), (d) => change(d, 'data', 2), ['-o', 'nouuid']);
}

/** Flips one byte in the middle of the repository's largest pack (a partition stream's data): the damage a check must find. */
export async function flipByteInLargestPack(repo: TestRepository): Promise<string> {
  const packs: Array<{ file: string; size: number }> = [];
  for (const sub of await readdir(path.join(repo.path, 'data'))) for (const f of await readdir(path.join(repo.path, 'data', sub))) packs.push({ file: path.join(repo.path, 'data', sub, f), size: (await stat(path.join(repo.path, 'data', sub, f))).size });
  const pack = packs.sort((a, b) => b.size - a.size)[0]!;
  await chmod(pack.file, 0o600);
  const bytes = await readFile(pack.file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0xff;
  await writeFile(pack.file, bytes);
  return pack.file;
}

// Test helper: encrypted images from the outside: the files of a store that hold a string (grep), a plaintext view of
// an encrypted image mounted by the test itself with gocryptfs (passphrase on stdin), and the mounts left under a folder.
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * The files under dir whose bytes contain `text` (grep -r -a -F: binary files too). gocryptfs.info is left out: it is
 * the plaintext marker beside the tree, which a plaintext view shows as a file that cannot be decrypted (EIO).
 */
export async function filesHolding(dir: string, text: string): Promise<string[]> {
  const r = await execa('grep', ['-r', '-a', '-l', '-F', '--exclude=gocryptfs.info', '--', text, dir], { reject: false });
  if (r.exitCode !== 0 && r.exitCode !== 1) throw new Error(`grep failed: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

/** Runs fn with the encrypted tree `cipherDir` mounted read-only by gocryptfs itself; always unmounted. */
export async function withGocryptfsView<T>(cipherDir: string, passphrase: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(path.dirname(cipherDir), '.view-'));
  await execa('gocryptfs', ['-ro', '-q', cipherDir, dir], { input: passphrase });
  try {
    return await fn(dir);
  } finally {
    await execa('fusermount3', ['-u', dir], { reject: false });
    await rm(dir, { recursive: true, force: true });
  }
}

/** gocryptfs mounts (fuse.gocryptfs) whose mount point lies under dir. */
export async function gocryptfsMountsUnder(dir: string): Promise<string[]> {
  return (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => (f[2] ?? '').includes('gocryptfs') && (f[1] === dir || (f[1] ?? '').startsWith(`${dir}/`)))
    .map((f) => f[1]!);
}

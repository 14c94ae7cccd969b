// Test helper: a real OpenSSH sshd started by the test on 127.0.0.1 and a free port, with its own sshd_config, host
// key and authorized key in a temp dir (key only, no passwords; root may log in by key), stopped also on failure.
import { execa, type ResultPromise } from 'execa';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { tempDir } from './loop.js';

export interface Sshd {
  port: number;
  /** The temp dir holding config, keys and the served folder. */
  dir: string;
  /** The folder on the "server" that tests use as the store (DIR/store). */
  storeDir: string;
  /** The authorized client key, a key the server does not know, and a known_hosts that pins the host key. */
  clientKey: string;
  wrongKey: string;
  knownHosts: string;
  /** The host key's fingerprint as ssh-keygen -l prints it (SHA256:…). */
  hostFingerprint: string;
  /** ssh://root@127.0.0.1:PORT<storeDir>[/sub]. */
  uri(sub?: string): string;
  /** Kills sshd and every session process under it with SIGKILL (the server dies), and waits until they are gone. */
  kill(): Promise<void>;
  /** Stops sshd and its sessions with SIGSTOP (the server hangs; a pause under 15 s keeps the connection). */
  pause(): Promise<void>;
  /** Lets a paused sshd and its sessions go on (SIGCONT). */
  resume(): Promise<void>;
  /** Starts sshd again after kill(), same port, keys and folder (the server is back). */
  restart(): Promise<void>;
  /** Stops sshd (idempotent) and removes the temp dir. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the kernel's choice), for a server a test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function keygen(file: string): Promise<void> {
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', path.basename(file), '-f', file]);
}

/** Every process below pid (children, their children …), from /proc. */
async function descendants(pid: number): Promise<number[]> {
  const parent = new Map<number, number>();
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parent.set(Number(e), ppid);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) if (pp === p) (out.push(c), walk(c));
  };
  walk(pid);
  return out;
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** Starts sshd; t.teardown stops it whatever the test's outcome. */
export async function startSshd(t: { teardown(fn: () => Promise<void>): void }): Promise<Sshd> {
  const dir = await tempDir('lifeboat-sshd-');
  let child: ResultPromise | undefined;
  const stop = async () => {
    if (child?.pid !== undefined && !gone(child.pid)) {
      await signalAll('SIGCONT'); // a test that failed while the server was paused
      child.kill('SIGTERM');
      await child.catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  };
  t.teardown(stop);
  const port = await freePort();
  const storeDir = path.join(dir, 'store');
  await mkdir(storeDir);
  const hostKey = path.join(dir, 'host_key');
  const clientKey = path.join(dir, 'client_key');
  const wrongKey = path.join(dir, 'wrong_key');
  for (const k of [hostKey, clientKey, wrongKey]) await keygen(k);
  await writeFile(path.join(dir, 'authorized_keys'), await readFile(`${clientKey}.pub`));
  const [type, key] = (await readFile(`${hostKey}.pub`, 'utf8')).split(' ');
  const knownHosts = path.join(dir, 'known_hosts');
  await writeFile(knownHosts, `[127.0.0.1]:${port} ${type} ${key}\n`);
  const hostFingerprint = (await execa('ssh-keygen', ['-l', '-f', `${hostKey}.pub`])).stdout.split(' ')[1]!;
  const config = path.join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
  const start = async () => {
    // -o on the command line wins over any config: root may log in, by key only.
    const c = execa('/usr/sbin/sshd', ['-D', '-e', '-f', config, '-o', 'PermitRootLogin=prohibit-password'], { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', buffer: false });
    child = c;
    await new Promise<void>((resolve, reject) => {
      let text = '';
      c.stderr!.setEncoding('utf8');
      c.stderr!.on('data', (d: string) => {
        text += d;
        if (/Server listening on 127\.0\.0\.1 port/.test(text)) resolve();
      });
      void c.then(() => reject(new Error(`sshd ended before it listened: ${text.trim()}`)));
    });
  };
  /** Sends sig to sshd and every process under it; returns their pids. */
  const signalAll = async (sig: NodeJS.Signals): Promise<number[]> => {
    const pid = child!.pid!;
    const all = [pid, ...(await descendants(pid))];
    for (const p of all) {
      try {
        process.kill(p, sig);
      } catch {
        // gone already
      }
    }
    return all;
  };
  await start();
  return {
    port,
    dir,
    storeDir,
    clientKey,
    wrongKey,
    knownHosts,
    hostFingerprint,
    uri: (sub = '') => `ssh://root@127.0.0.1:${port}${storeDir}${sub ? `/${sub}` : ''}`,
    async kill() {
      const all = await signalAll('SIGKILL');
      await child!.catch(() => undefined);
      for (let i = 0; i < 200 && !all.every(gone); i++) await new Promise((r) => setTimeout(r, 50));
    },
    pause: async () => void (await signalAll('SIGSTOP')),
    resume: async () => void (await signalAll('SIGCONT')),
    restart: start,
    stop,
  };
}

// Test helper: a Docker engine of the test's own (Debian's docker.io: dockerd without a bridge or iptables, with a
// private data root, exec root and socket), started if need be after `scripts/setup docker`, and stopped again.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from '../../core/process-identity.js';

/** Debian's docker.io paths: a newer client elsewhere on PATH may not speak to engine 20.10. */
export const dockerd = '/usr/sbin/dockerd';
export const dockerClient = '/usr/bin/docker';

/** How long to wait for another run's engine on the same directory. */
const waitForOtherEngineMs = 15 * 60_000;

/** Where the test's engine keeps images (kept between runs, so the base and build layers stay cached). */
export const engineDir = process.env['LIFEBOAT_TEST_DOCKER_DIR'] ?? '/var/lib/lifeboat-test-docker';

export interface Engine {
  socket: string;
  /** Runs the docker.io client against this engine. */
  docker(args: readonly string[], opts?: { input?: string }): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  /** The client's argv prefix (for commands the caller streams itself). */
  clientArgs: string[];
  stop(): Promise<void>;
}

/** Mount points at or below dir, deepest first. */
async function mountsBelow(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const points = info.split('\n').map((l) => l.split(' ')[4]).filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)));
  return points.sort((a, b) => b.length - a.length);
}

/** Installs docker.io (scripts/setup docker) when dockerd is missing. */
export async function ensureDockerInstalled(repo: string, log: (line: string) => void): Promise<void> {
  if (existsSync(dockerd) && existsSync(dockerClient)) return;
  log('dockerd is missing: scripts/setup docker');
  await execa(path.join(repo, 'scripts/setup'), ['docker'], { stdio: 'inherit' });
}

/** The dockerd argv: no bridge, no iptables rules on the host, everything under dir. */
export function dockerdArgs(dir: string): string[] {
  return [
    '--bridge=none',
    '--iptables=false',
    '--ip6tables=false',
    '--data-root', path.join(dir, 'data'),
    '--exec-root', path.join(dir, 'exec'),
    '--pidfile', path.join(dir, 'dockerd.pid'),
    '-H', `unix://${path.join(dir, 'docker.sock')}`,
  ];
}

/** Starts dockerd and waits until it answers; refuses when an engine (another run's) already uses the directory. */
export async function startEngine(log: (line: string) => void, dir: string = engineDir): Promise<Engine> {
  await mkdir(dir, { recursive: true });
  const pidfile = path.join(dir, 'dockerd.pid');
  // Another worktree's suite may be running this test: wait for its engine to stop (it does at its end).
  const waitStarted = performance.now();
  for (;;) {
    const pid = Number(await readFile(pidfile, 'utf8').catch(() => ''));
    if (!pid || !processAlive(pid)) break;
    if (performance.now() - waitStarted > waitForOtherEngineMs)
      throw new Error(`a Docker engine (pid ${pid}) has run on ${dir} for too long: stop it, or set LIFEBOAT_TEST_DOCKER_DIR`);
    if (performance.now() - waitStarted < 1000) log(`waiting for the Docker engine of another run (pid ${pid}) on ${dir} to stop`);
    await sleep(5000);
  }
  const socket = path.join(dir, 'docker.sock');
  const clientArgs = ['-H', `unix://${socket}`];
  const logPath = path.join(dir, 'dockerd.log');
  const child = execa(dockerd, dockerdArgs(dir), { stdin: 'ignore', stdout: { file: logPath, append: true }, stderr: { file: logPath, append: true }, reject: false, cleanup: true });
  let exited = false;
  void child.then(() => {
    exited = true;
  });
  const docker: Engine['docker'] = async (args, opts = {}) => {
    const argv = [...clientArgs, ...args];
    const r = await (opts.input === undefined ? execa(dockerClient, argv, { reject: false }) : execa(dockerClient, argv, { reject: false, input: opts.input }));
    return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
  };
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await child;
      clearTimeout(timer);
    }
    // dockerd leaves its network namespace bound at exec/netns/default; nothing of the engine stays mounted.
    for (const m of await mountsBelow(path.join(dir, 'exec'))) await execa('umount', [m], { reject: false });
  };
  const started = performance.now();
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`dockerd exited at once; see ${path.join(dir, 'dockerd.log')}`);
    }
    if ((await docker(['version', '--format', '{{.Server.Version}}'])).exitCode === 0) break;
    if (performance.now() - started > 60_000) {
      await stop();
      throw new Error(`dockerd did not answer on ${socket} within 60 s; see ${path.join(dir, 'dockerd.log')}`);
    }
    await sleep(500);
  }
  log(`dockerd ${(await docker(['version', '--format', '{{.Server.Version}}'])).stdout.trim()} (pid ${child.pid}) answered after ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { socket, docker, clientArgs, stop };
}

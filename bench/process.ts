// Benchmark processes: commands in their own process groups, loop devices and mounts, clean-up on signals.
import { execa, type ResultPromise } from 'execa';
import { type Args } from './settings.js';

// ---------------------------------------------------------------- processes, interruption, cleanup

export const stopper = new AbortController();
export let running: ResultPromise | undefined;

export function log(args: Args, msg: string): void {
  // Progress goes to stderr so that --json output on stdout stays clean.
  if (!args.json || process.stderr.isTTY) process.stderr.write(`${msg}\n`);
}

/** Stops the running command's whole process group (a pipeline, a build and its tools, QEMU). */
export function killRunning(signal: NodeJS.Signals = 'SIGTERM'): void {
  const pid = running?.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** Runs a command in its own process group (so an interrupt can stop a whole pipeline) and throws on failure. */
export async function sh(file: string, argv: string[], opts: { input?: string; onLine?: (line: string) => void; onStart?: (pid: number) => void; allowFail?: boolean; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  if (stopper.signal.aborted) throw new Error('interrupted');
  const child = execa(file, argv, {
    reject: false,
    detached: true,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' }),
    stdout: 'pipe',
    stderr: 'pipe',
    lines: false,
    maxBuffer: 256 * 1024 * 1024,
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  running = child;
  if (child.pid !== undefined) opts.onStart?.(child.pid);
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

export const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export const attached = new Set<string>();
export const mounted = new Set<string>();

export async function attach(file: string, readOnly: boolean): Promise<string> {
  const { stdout } = await sh('losetup', [...(readOnly ? ['-r'] : []), '-f', '--show', file]);
  const dev = stdout.trim();
  attached.add(dev);
  // The host kernel does not scan partition tables: add the partitions ourselves.
  await sh('partx', ['-a', dev], { allowFail: true });
  return dev;
}

export async function detach(dev: string): Promise<void> {
  await execa('partx', ['-d', dev], { reject: false });
  await execa('losetup', ['-d', dev], { reject: false });
  attached.delete(dev);
}

export async function cleanup(): Promise<void> {
  for (const m of [...mounted]) {
    await execa('umount', [m], { reject: false });
    mounted.delete(m);
  }
  // Only the devices this process attached, one by one; never `losetup -D`.
  for (const d of [...attached]) await detach(d);
}

export function onSignal(sig: NodeJS.Signals): void {
  if (stopper.signal.aborted) return;
  process.stderr.write(`\nbench: ${sig}, stopping and detaching loop devices…\n`);
  stopper.abort();
  killRunning();
}


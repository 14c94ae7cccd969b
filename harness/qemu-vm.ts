// A running QEMU that a test talks to as a person would: the serial port's text collected as it arrives, waits for a
// pattern in it (failing early when QEMU exits, with the serial tail and QEMU's stderr), keys typed on the serial
// console, and QEMU's human monitor over a unix socket (screendumps of the VGA screen, tty1). One implementation for
// every boot the tests and the benchmark make.
import { execa } from 'execa';
import { copyFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { firmwareVarsTemplate, qemuIsoArgs, type IsoBootMode } from './qemu-args.js';

export interface Vm {
  /** The serial port's text since power-on. */
  serial(): string;
  /** Seconds since QEMU started. */
  seconds(): number;
  /**
   * Waits until the pattern matches the serial text from `from` on (a RegExp, or a test of that text) and returns
   * where the match ends (for a test: the serial length then). Rejects on the timeout or when QEMU exits first.
   */
  waitFor(pattern: RegExp | ((text: string) => boolean), from: number, timeoutMs: number, what?: string): Promise<number>;
  /** Types on the serial console. */
  send(text: string): void;
  /** Runs a command on QEMU's human monitor and returns its answer (only when started with a monitor socket). */
  monitor(command: string): Promise<string>;
  /** Resolves when QEMU has exited, with its exit code (undefined when killed by a signal). */
  readonly exited: Promise<number | undefined>;
  /** QEMU's stderr so far. */
  stderr(): string;
  /** Kills QEMU (SIGKILL) if it still runs, and waits for it. */
  stop(): Promise<void>;
}

/** Starts qemu-system-x86_64 with this argv; `monitorSocket` is the socket the argv put the monitor on, if any. */
export function startVm(argv: string[], monitorSocket?: string): Vm {
  const started = performance.now();
  const child = execa('qemu-system-x86_64', argv, { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, cleanup: true });
  let serial = '';
  let stderr = '';
  let hasExited = false;
  const decoder = new StringDecoder('utf8');
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (c: Buffer) => {
    serial += decoder.write(c);
    for (const w of waiters) w();
  });
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = child.then((r) => {
    hasExited = true;
    for (const w of waiters) w();
    return r.exitCode;
  });
  const tail = () => `\n--- serial tail ---\n${serial.slice(-3000)}`;
  return {
    serial: () => serial,
    seconds: () => (performance.now() - started) / 1000,
    stderr: () => stderr,
    exited,
    waitFor: (pattern, from, timeoutMs, what = String(pattern)) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const text = serial.slice(from);
          const end = typeof pattern === 'function' ? (pattern(text) ? serial.length : undefined) : ((m) => (m ? from + m.index + m[0].length : undefined))(pattern.exec(text));
          if (end !== undefined) done(() => resolve(end));
          else if (hasExited) done(() => reject(new Error(`QEMU exited before ${what}: ${stderr.trim()}${tail()}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${what} within ${timeoutMs / 1000} s${tail()}`))), timeoutMs);
        const done = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      }),
    send: (text) => void child.stdin?.write(text),
    monitor: (command) =>
      new Promise((resolve, reject) => {
        if (!monitorSocket) return reject(new Error('this VM was started without a monitor socket'));
        const sock = createConnection(monitorSocket);
        let answer = '';
        let sent = false;
        sock.setEncoding('utf8');
        sock.on('error', reject);
        sock.on('data', (d: string) => {
          answer += d;
          // The monitor greets with a prompt; after the command it prints another one when done.
          const prompts = answer.split('(qemu)').length - 1;
          if (!sent && prompts >= 1) {
            sent = true;
            sock.write(`${command}\n`);
          } else if (sent && prompts >= 2) {
            sock.end();
            resolve(answer);
          }
        });
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface IsoVmOptions {
  memoryMiB?: number;
  /** Put QEMU's human monitor on a unix socket in `dir` (for Vm.monitor). */
  monitor?: boolean;
}

/** Boots the ISO in a mode; `dir` (the caller's, removed by the caller) holds the firmware variables and the socket. */
export async function startIsoVm(iso: string, mode: IsoBootMode, dir: string, o: IsoVmOptions = {}): Promise<Vm> {
  const template = firmwareVarsTemplate(mode);
  let vars: string | undefined;
  if (template) {
    vars = path.join(dir, 'vars.fd');
    await copyFile(template, vars);
  }
  const monitorSocket = o.monitor ? path.join(dir, 'monitor.sock') : undefined;
  return startVm(qemuIsoArgs(mode, iso, { ...(vars ? { vars } : {}), ...(o.memoryMiB ? { memoryMiB: o.memoryMiB } : {}), ...(monitorSocket ? { monitorSocket } : {}) }), monitorSocket);
}

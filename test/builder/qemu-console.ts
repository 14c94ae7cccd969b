// Test helper: an ISO booted under QEMU (TCG) that a test talks to as a person would: keys typed on the serial
// console, its text waited for, and QEMU's monitor (a unix socket) asked for a screendump of the VGA screen (tty1).
import { execa } from 'execa';
import { copyFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { qemuIsoArgs, type IsoBootMode } from './qemu-iso.js';

export interface ConsoleVm {
  /** The serial port's text since power-on. */
  serial(): string;
  /** Seconds since QEMU started. */
  seconds(): number;
  /** Waits until pattern matches the serial text from `from` on; returns where the match ends. */
  waitFor(pattern: RegExp, from: number, timeoutMs: number): Promise<number>;
  /** Types on the serial console. */
  send(text: string): void;
  /** Runs a command on QEMU's human monitor and returns its answer. */
  monitor(command: string): Promise<string>;
  stop(): Promise<void>;
}

/** QEMU's argv for a mode, with the monitor on a unix socket instead of none. */
export function qemuConsoleArgs(mode: IsoBootMode, iso: string, vars: string | undefined, socket: string): string[] {
  const args = qemuIsoArgs(mode, iso, vars);
  const at = args.indexOf('-monitor');
  args.splice(at, 2, '-monitor', `unix:${socket},server=on,wait=off`);
  return args;
}

export async function startConsoleVm(iso: string, mode: IsoBootMode, dir: string): Promise<ConsoleVm> {
  let vars: string | undefined;
  if (mode.startsWith('uefi')) {
    vars = path.join(dir, 'vars.fd');
    await copyFile(mode === 'uefi-secure-boot-cd' ? '/usr/share/OVMF/OVMF_VARS_4M.ms.fd' : '/usr/share/OVMF/OVMF_VARS_4M.fd', vars);
  }
  const socket = path.join(dir, 'monitor.sock');
  const started = performance.now();
  const child = execa('qemu-system-x86_64', qemuConsoleArgs(mode, iso, vars, socket), { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, cleanup: true });
  let serial = '';
  let stderr = '';
  let exited = false;
  const decoder = new StringDecoder('utf8');
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (c: Buffer) => {
    serial += decoder.write(c);
    for (const w of waiters) w();
  });
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  void child.then(() => {
    exited = true;
    for (const w of waiters) w();
  });
  return {
    serial: () => serial,
    seconds: () => (performance.now() - started) / 1000,
    waitFor: (pattern, from, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(serial.slice(from));
          if (m) done(() => resolve(from + m.index + m[0].length));
          else if (exited) done(() => reject(new Error(`QEMU exited before ${String(pattern)}: ${stderr.trim()}\n--- serial tail ---\n${serial.slice(-3000)}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${String(pattern)} within ${timeoutMs / 1000} s\n--- serial tail ---\n${serial.slice(-3000)}`))), timeoutMs);
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
        const sock = createConnection(socket);
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
      await child;
    },
  };
}

// The two boots the slow tests make, on one VM driver (qemu-vm.ts): the ISO booted to the entry point's marker with
// shell commands typed on the serial console, and a kernel booted with disks until the guest powers off.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { qemuKernelArgs, type IsoBootMode, type KernelBootOptions } from './qemu-args.js';
import { startIsoVm, startVm, type Vm } from './qemu-vm.js';

/** bash's prompt for root, as the live system shows it. */
export const shellPrompt = /root@[^\s:]+:[^\n]*# /;

/** The rescue UI's main menu on the serial console (its last entry). */
export const rescueUiMenu = /Power off/;

export interface IsoBootResult {
  /** Seconds from starting QEMU to the marker on the serial port. */
  markerSeconds: number;
  /** The serial port's text, from power-on to the end. */
  serial: string;
  /** For each command sent after the marker: the serial text that arrived until its answer matched. */
  replies: string[];
}

export interface IsoBootOptions {
  marker: string;
  timeoutMs?: number;
  memoryMiB?: number;
  /** Typed on the serial console after the marker, each waited for until `expect` matches what follows. */
  commands?: SerialCommand[];
}

export interface SerialCommand {
  send: string;
  expect: RegExp;
  timeoutMs?: number;
}

/**
 * After the entry point's marker: quits the rescue UI to root's shell (q) when the serial console opened it, then
 * types each command at a shell prompt and waits until its answer matches. Returns each command's serial text.
 */
export async function runOnSerialShell(vm: Vm, marker: string, commands: SerialCommand[]): Promise<string[]> {
  const replies: string[] = [];
  let promptFrom = vm.serial().indexOf(marker);
  if (commands.length === 0) return replies;
  // Without a job the serial console opens the rescue UI after the marker: q quits it to root's shell.
  await vm.waitFor((t) => shellPrompt.test(t) || rescueUiMenu.test(t), promptFrom, 120_000, 'a shell prompt or the rescue UI');
  if (!shellPrompt.test(vm.serial().slice(promptFrom))) {
    await new Promise((r) => setTimeout(r, 1000));
    vm.send('q');
  }
  for (const c of commands) {
    // Type only at a shell prompt (root@host:~# ), the one that follows the marker or the previous answer.
    await vm.waitFor(shellPrompt, promptFrom, 60_000, 'a shell prompt');
    const from = vm.serial().length;
    vm.send(`${c.send}\n`);
    await vm.waitFor(c.expect, from, c.timeoutMs ?? 120_000, `an answer to "${c.send}" matching ${String(c.expect)}`);
    replies.push(vm.serial().slice(from));
    promptFrom = from + c.send.length;
  }
  return replies;
}

/** Boots, waits for the marker, runs the commands, and always kills QEMU. Throws with the serial tail on failure. */
export async function bootIso(iso: string, mode: IsoBootMode, opts: IsoBootOptions): Promise<IsoBootResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-qemu-'));
  try {
    const vm = await startIsoVm(iso, mode, dir, opts.memoryMiB ? { memoryMiB: opts.memoryMiB } : {});
    try {
      await vm.waitFor((t) => t.includes(opts.marker), 0, opts.timeoutMs ?? 300_000, `marker "${opts.marker}"`);
      const markerSeconds = vm.seconds();
      const replies = await runOnSerialShell(vm, opts.marker, opts.commands ?? []);
      return { markerSeconds, serial: vm.serial(), replies };
    } finally {
      await vm.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Boots a kernel with the ISO and disks attached and waits for QEMU to exit (the guest powered off) or the timeout. */
export async function bootKernelUntilExit(o: KernelBootOptions): Promise<{ serial: string; seconds: number; exited: boolean; stderr: string }> {
  const vm = startVm(qemuKernelArgs(o));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), o.timeoutMs);
  });
  // stopAfter: kill QEMU a while after the serial text matches (the guest would otherwise wait on).
  const stopping = o.stopAfter
    ? vm.waitFor(o.stopAfter.match, 0, o.timeoutMs, String(o.stopAfter.match)).then(
        () => new Promise<'stopped'>((resolve) => setTimeout(() => resolve('stopped'), o.stopAfter!.delayMs)),
        () => new Promise<never>(() => undefined),
      )
    : new Promise<never>(() => undefined);
  const how = await Promise.race([vm.exited.then((code) => ({ code })), timedOut, stopping]);
  clearTimeout(timer);
  await vm.stop();
  // Powered off: QEMU's own exit with status 0; killed by stopAfter or the timeout: not.
  return { serial: vm.serial(), seconds: vm.seconds(), exited: typeof how === 'object' && how.code === 0, stderr: vm.stderr() };
}

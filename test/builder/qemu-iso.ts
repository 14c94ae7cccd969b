// Test helper: boots a Lifeboat ISO under QEMU (TCG, no KVM) as a CD or a USB disk, with BIOS (SeaBIOS), UEFI
// (OVMF) or UEFI with Secure Boot enforced (OVMF with Microsoft's keys), and talks to it over the serial port.
import { execa } from 'execa';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export type IsoBootMode = 'bios-cd' | 'uefi-cd' | 'uefi-secure-boot-cd' | 'bios-usb-disk' | 'uefi-usb-disk';

const ovmf = '/usr/share/OVMF';

/** Firmware per mode: none (SeaBIOS), OVMF, or OVMF with Secure Boot (needs q35 with SMM). */
const firmware: Record<'bios' | 'uefi' | 'secure', { code?: string; vars?: string; machine: string[] }> = {
  bios: { machine: [] },
  uefi: { code: `${ovmf}/OVMF_CODE_4M.fd`, vars: `${ovmf}/OVMF_VARS_4M.fd`, machine: [] },
  secure: {
    code: `${ovmf}/OVMF_CODE_4M.secboot.fd`,
    vars: `${ovmf}/OVMF_VARS_4M.ms.fd`,
    machine: ['-machine', 'q35,smm=on', '-global', 'driver=cfi.pflash01,property=secure,value=on'],
  },
};

const modes: Record<IsoBootMode, { firmware: keyof typeof firmware; medium: 'cd' | 'usb' }> = {
  'bios-cd': { firmware: 'bios', medium: 'cd' },
  'uefi-cd': { firmware: 'uefi', medium: 'cd' },
  'uefi-secure-boot-cd': { firmware: 'secure', medium: 'cd' },
  'bios-usb-disk': { firmware: 'bios', medium: 'usb' },
  'uefi-usb-disk': { firmware: 'uefi', medium: 'usb' },
};

/** QEMU's argv for a mode; `vars` is a writable copy of the firmware's variable store (UEFI modes). */
export function qemuIsoArgs(mode: IsoBootMode, iso: string, vars: string | undefined, memoryMiB = 1024): string[] {
  const m = modes[mode];
  const fw = firmware[m.firmware];
  const file = path.resolve(iso).replaceAll(',', ',,');
  return [
    '-accel', 'tcg',
    ...fw.machine,
    '-m', String(memoryMiB),
    '-display', 'none',
    '-monitor', 'none',
    '-serial', 'stdio',
    '-nic', 'none',
    '-no-reboot',
    ...(fw.code && vars
      ? ['-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${fw.code}`, '-drive', `if=pflash,format=raw,unit=1,file=${vars.replaceAll(',', ',,')}`]
      : []),
    ...(m.medium === 'cd'
      ? ['-drive', `file=${file},format=raw,media=cdrom,readonly=on`, '-boot', 'order=d']
      : ['-drive', `if=none,id=stick,format=raw,file=${file},snapshot=on`, '-device', 'usb-ehci,id=ehci', '-device', 'usb-storage,bus=ehci.0,drive=stick,bootindex=0']),
  ];
}

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
  /** Typed on the serial console after the marker, each waited for until `expect` matches what follows. */
  commands?: { send: string; expect: RegExp; timeoutMs?: number }[];
}

/** Boots, waits for the marker, runs the commands, and always kills QEMU. Throws with the serial tail on failure. */
export async function bootIso(iso: string, mode: IsoBootMode, opts: IsoBootOptions): Promise<IsoBootResult> {
  const fw = firmware[modes[mode].firmware];
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-qemu-'));
  let vars: string | undefined;
  if (fw.vars) {
    vars = path.join(dir, 'vars.fd');
    await copyFile(fw.vars, vars);
  }
  const started = performance.now();
  const child = execa('qemu-system-x86_64', qemuIsoArgs(mode, iso, vars), { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, cleanup: true });
  let serial = '';
  let stderr = '';
  const decoder = new StringDecoder('utf8');
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    serial += decoder.write(chunk);
    for (const w of waiters) w();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  let exited = false;
  void child.then(() => {
    exited = true;
    for (const w of waiters) w();
  });

  /** Resolves when test(serial from `from`) holds; rejects on timeout or QEMU's exit. */
  const waitFor = (from: number, test: (text: string) => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (test(serial.slice(from))) done(resolve);
        else if (exited) done(() => reject(new Error(`QEMU exited before ${what}: ${stderr.trim()}\n--- serial tail ---\n${serial.slice(-3000)}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${what} within ${timeoutMs / 1000} s\n--- serial tail ---\n${serial.slice(-3000)}`))), timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });

  try {
    await waitFor(0, (t) => t.includes(opts.marker), opts.timeoutMs ?? 300_000, `marker "${opts.marker}"`);
    const markerSeconds = (performance.now() - started) / 1000;
    const replies: string[] = [];
    let promptFrom = serial.indexOf(opts.marker);
    if (opts.commands?.length) {
      // Without a job the serial console opens the rescue UI after the marker: q quits it to root's shell.
      await waitFor(promptFrom, (t) => shellPrompt.test(t) || rescueUiMenu.test(t), 120_000, 'a shell prompt or the rescue UI');
      if (!shellPrompt.test(serial.slice(promptFrom))) {
        await new Promise((r) => setTimeout(r, 1000));
        child.stdin?.write('q');
      }
    }
    for (const c of opts.commands ?? []) {
      // Type only at a shell prompt (root@host:~# ), the one that follows the marker or the previous answer.
      await waitFor(promptFrom, (t) => shellPrompt.test(t), 60_000, 'a shell prompt');
      const from = serial.length;
      child.stdin?.write(`${c.send}\n`);
      await waitFor(from, (t) => c.expect.test(t), c.timeoutMs ?? 120_000, `an answer to "${c.send}" matching ${String(c.expect)}`);
      replies.push(serial.slice(from));
      promptFrom = from + c.send.length;
    }
    return { markerSeconds, serial, replies };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await child;
    await rm(dir, { recursive: true, force: true });
  }
}

export interface KernelBootOptions {
  kernel: string;
  initrd: string;
  /** The kernel command line. */
  append: string;
  /** The ISO, as the CD that live-boot finds the squashfs on. */
  iso: string;
  /** Raw disk files, as virtio disks in this order (/dev/vda, /dev/vdb, …). */
  disks: string[];
  timeoutMs: number;
  memoryMiB?: number;
  /** Stop QEMU (kill it) this long after the serial text matches, instead of waiting for the guest to power off. */
  stopAfter?: { match: RegExp; delayMs: number };
}

/** QEMU's argv for a direct kernel boot (SeaBIOS) with the ISO as the CD and the disks on virtio. */
export function qemuKernelArgs(o: KernelBootOptions): string[] {
  const esc = (f: string) => path.resolve(f).replaceAll(',', ',,');
  return [
    '-accel', 'tcg',
    '-m', String(o.memoryMiB ?? 1024),
    '-display', 'none',
    '-monitor', 'none',
    '-serial', 'stdio',
    '-nic', 'none',
    '-no-reboot',
    '-kernel', esc(o.kernel),
    '-initrd', esc(o.initrd),
    '-append', o.append,
    '-drive', `file=${esc(o.iso)},format=raw,media=cdrom,readonly=on`,
    ...o.disks.flatMap((d) => ['-drive', `file=${esc(d)},format=raw,if=virtio,cache=unsafe`]),
  ];
}

/** Boots a kernel with the ISO and disks attached and waits for QEMU to exit (the guest powered off) or the timeout. */
export async function bootKernelUntilExit(o: KernelBootOptions): Promise<{ serial: string; seconds: number; exited: boolean; stderr: string }> {
  const started = performance.now();
  const child = execa('qemu-system-x86_64', qemuKernelArgs(o), { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, cleanup: true });
  let serial = '';
  let stderr = '';
  const decoder = new StringDecoder('utf8');
  let stopping: NodeJS.Timeout | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    serial += decoder.write(chunk);
    if (o.stopAfter && !stopping && o.stopAfter.match.test(serial)) stopping = setTimeout(() => child.kill('SIGKILL'), o.stopAfter.delayMs);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), o.timeoutMs);
  });
  const exited = !(await Promise.race([child.then(() => false), timedOut]));
  clearTimeout(timer);
  clearTimeout(stopping);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const r = await child;
  // Powered off: QEMU's own exit with status 0; killed by stopAfter or the timeout: not.
  return { serial, seconds: (performance.now() - started) / 1000, exited: exited && r.exitCode === 0, stderr };
}

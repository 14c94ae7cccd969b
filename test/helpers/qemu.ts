// Test helper: boot a raw disk image in QEMU (TCG, no KVM) with SeaBIOS (or OVMF) and
// report whether a marker string appeared on the first serial port.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';

export interface BootOptions {
  /** Give up (and kill QEMU) after this long. Default 30000. */
  timeoutMs?: number;
  /** Image format; only raw is supported. */
  format?: 'raw';
  /** Firmware: SeaBIOS (default) or OVMF (UEFI; its variable store a snapshot, never written). */
  firmware?: 'bios' | 'uefi';
  /** Stop waiting as soon as this appears on the serial port (a known failure message): booted false. */
  giveUpOn?: string;
}

export interface BootResult {
  /** The marker appeared on the serial port. */
  booted: boolean;
  /** Everything read from the serial port (capped at 1 MiB). */
  serial: string;
  /** Milliseconds from starting QEMU to seeing the marker (or to giving up / QEMU exiting). */
  ms: number;
}

const SERIAL_CAP = 1024 * 1024;

/** Arguments for qemu-system-x86_64; exported for debugging. */
export function qemuArgs(diskPath: string, format: 'raw' = 'raw', firmware: 'bios' | 'uefi' = 'bios'): string[] {
  // Commas in -drive values must be doubled.
  const file = path.resolve(diskPath).replaceAll(',', ',,');
  const ovmf = firmware === 'uefi'
    ? [
        '-drive', 'if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
        '-drive', 'if=pflash,format=raw,snapshot=on,file=/usr/share/OVMF/OVMF_VARS_4M.fd',
      ]
    : [];
  return [
    ...ovmf,
    '-accel', 'tcg',
    '-m', '128',
    '-display', 'none',
    '-monitor', 'none',
    '-serial', 'stdio',
    '-nic', 'none', // no iPXE option ROM: nothing to net-boot, faster
    '-no-reboot', // a reset (triple fault, SeaBIOS retry) ends QEMU
    // SeaBIOS: on "No bootable device" reset at once instead of hanging
    // (with -no-reboot QEMU then exits).
    '-boot', 'order=c,reboot-timeout=0',
    // snapshot=on: writes go to a temp overlay, the image is never modified.
    '-drive', `file=${file},format=${format},if=ide,snapshot=on`,
  ];
}

/**
 * Boot diskPath in QEMU and watch COM1 for marker. Resolves as soon as the
 * marker is seen (booted: true), or when QEMU exits by itself or timeoutMs
 * passes without it (booted: false). QEMU is always killed before this
 * returns. Throws if the image does not exist or QEMU fails to start
 * (exits non-zero by itself, e.g. bad arguments).
 */
export async function bootsToMarker(
  diskPath: string,
  marker: string,
  opts: BootOptions = {},
): Promise<BootResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const format = opts.format ?? 'raw';
  if (!marker) throw new Error('bootsToMarker: empty marker');
  await fs.access(diskPath); // clear error for a missing image

  const start = performance.now();
  const child = execa('qemu-system-x86_64', qemuArgs(diskPath, format, opts.firmware), {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: true,
  });

  let serial = '';
  let stderr = '';
  const decoder = new StringDecoder('utf8');
  let timer: NodeJS.Timeout | undefined;

  try {
    const outcome = await new Promise<'marker' | 'timeout' | 'exit' | 'gave-up'>((resolve) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (serial.length < SERIAL_CAP) serial += decoder.write(chunk);
        // GRUB's serial terminal emits escape sequences, but echo prints
        // the text in one run, so a plain substring test suffices.
        if (serial.includes(marker)) resolve('marker');
        else if (opts.giveUpOn && serial.includes(opts.giveUpOn)) resolve('gave-up');
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        if (stderr.length < 64 * 1024) stderr += chunk.toString('utf8');
      });
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      // Resolves (never rejects, reject: false) when QEMU ends.
      void child.then(() => resolve('exit'));
    });
    const ms = Math.round(performance.now() - start);

    if (outcome === 'exit' && !serial.includes(marker)) {
      const r = await child;
      if (r.exitCode !== 0) {
        throw new Error(
          `qemu-system-x86_64 exited with ${r.exitCode ?? r.signal}: ${stderr.trim() || '(no stderr)'}`,
        );
      }
    }
    return { booted: serial.includes(marker), serial, ms };
  } finally {
    if (timer) clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await child; // reject: false, so this only waits for the exit
  }
}

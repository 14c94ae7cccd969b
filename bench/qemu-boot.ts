// QEMU runs for the benchmark, in their own process group (an interrupt stops them): a boot timed to a marker on
// the serial port, and a direct kernel boot run until the guest powers off. The argv comes from the slow test
// suites' (harness/qemu-args.ts), so the benchmark boots the ISO exactly as they do.
import { qemuIsoArgs, qemuKernelArgs, type KernelBootOptions } from '../harness/qemu-args.js';
import { killRunning, sh } from './process.js';

/** Boots the ISO as a BIOS CD (TCG) and returns the seconds from QEMU's start to the marker, or throws. */
export async function bootToMarker(iso: string, marker: string, memoryMiB: number, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  let at: number | undefined;
  let tail = '';
  await sh('qemu-system-x86_64', qemuIsoArgs('bios-cd', iso, { memoryMiB }), {
    allowFail: true,
    timeoutMs,
    onLine: (line) => {
      tail = `${tail.slice(-4000)}${line}\n`;
      if (at === undefined && line.includes(marker)) {
        at = (performance.now() - t0) / 1000;
        killRunning('SIGKILL');
      }
    },
  });
  if (at === undefined) throw new Error(`no "${marker}" on the serial port within ${timeoutMs / 1000} s; serial tail:\n${tail.slice(-2500)}`);
  return at;
}

/** Boots a kernel with the ISO as CD and disks on virtio until QEMU exits (the guest powered off) or the timeout. */
export async function bootKernel(o: Omit<KernelBootOptions, 'stopAfter'>): Promise<{ serial: string; seconds: number; poweredOff: boolean }> {
  const t0 = performance.now();
  const r = await sh('qemu-system-x86_64', qemuKernelArgs(o), { allowFail: true, timeoutMs: o.timeoutMs });
  return { serial: r.stdout, seconds: (performance.now() - t0) / 1000, poweredOff: r.exitCode === 0 };
}

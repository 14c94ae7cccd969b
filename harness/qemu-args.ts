// QEMU's argv (TCG, no KVM) for the Lifeboat ISO: as a CD or a USB disk, with BIOS (SeaBIOS), UEFI (OVMF) or UEFI
// with Secure Boot enforced (OVMF with Microsoft's keys, q35 with SMM); and for a direct kernel boot with the ISO as
// the CD and disks on virtio. The serial port is QEMU's stdio.
import path from 'node:path';

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

/** The firmware's variable store that a UEFI mode boots with (copy it: QEMU writes to it); none for BIOS. */
export function firmwareVarsTemplate(mode: IsoBootMode): string | undefined {
  return firmware[modes[mode].firmware].vars;
}

export interface IsoArgsOptions {
  /** A writable copy of the firmware's variable store (UEFI modes). */
  vars?: string;
  memoryMiB?: number;
  /** QEMU's human monitor on this unix socket (default: no monitor). */
  monitorSocket?: string;
}

const esc = (file: string) => path.resolve(file).replaceAll(',', ',,');

/** The options every boot shares: TCG, no display, the serial port on stdio, no network (unless given), no reboot. */
function common(memoryMiB: number, monitorSocket: string | undefined, network: string[] = ['-nic', 'none']): string[] {
  return [
    '-accel', 'tcg',
    '-m', String(memoryMiB),
    '-display', 'none',
    '-monitor', monitorSocket ? `unix:${esc(monitorSocket)},server=on,wait=off` : 'none',
    '-serial', 'stdio',
    ...network,
    '-no-reboot',
  ];
}

/** QEMU's argv for booting the ISO in a mode. */
export function qemuIsoArgs(mode: IsoBootMode, iso: string, o: IsoArgsOptions = {}): string[] {
  const m = modes[mode];
  const fw = firmware[m.firmware];
  const file = esc(iso);
  if (fw.code && !o.vars) throw new Error(`${mode} needs a writable copy of ${fw.vars}`);
  return [
    ...common(o.memoryMiB ?? 1024, o.monitorSocket),
    ...fw.machine,
    ...(fw.code && o.vars ? ['-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${fw.code}`, '-drive', `if=pflash,format=raw,unit=1,file=${esc(o.vars)}`] : []),
    ...(m.medium === 'cd'
      ? ['-drive', `file=${file},format=raw,media=cdrom,readonly=on`, '-boot', 'order=d']
      : ['-drive', `if=none,id=stick,format=raw,file=${file},snapshot=on`, '-device', 'usb-ehci,id=ehci', '-device', 'usb-storage,bus=ehci.0,drive=stick,bootindex=0']),
  ];
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
  /** A network for the guest: see guestNetwork. */
  forwards?: GuestForward[];
}

/** A TCP port the guest reaches at 10.0.2.100:guestPort, carried to a server on the host's 127.0.0.1:hostPort. */
export interface GuestForward {
  guestPort: number;
  hostPort: number;
}

/** The address the guest reaches the host's forwarded servers at (QEMU user networking's guestfwd). */
export const labHostAddress = '10.0.2.100';

/**
 * QEMU user networking with restrict=on (the guest reaches nothing outside QEMU) and one guestfwd rule per forward:
 * each connection to 10.0.2.100:guestPort runs socat to 127.0.0.1:hostPort on the host. No other address is reachable.
 */
export function guestNetwork(forwards: GuestForward[]): string[] {
  const rules = forwards.map((f) => `,guestfwd=tcp:${labHostAddress}:${f.guestPort}-cmd:socat - TCP:127.0.0.1:${f.hostPort}`).join('');
  return ['-netdev', `user,id=lab,restrict=on${rules}`, '-device', 'virtio-net-pci,netdev=lab'];
}

/** QEMU's argv for a direct kernel boot (SeaBIOS) with the ISO as the CD and the disks on virtio. */
export function qemuKernelArgs(o: KernelBootOptions): string[] {
  return [
    ...common(o.memoryMiB ?? 1024, undefined, o.forwards ? guestNetwork(o.forwards) : undefined),
    '-kernel', esc(o.kernel),
    '-initrd', esc(o.initrd),
    '-append', o.append,
    '-drive', `file=${esc(o.iso)},format=raw,media=cdrom,readonly=on`,
    ...o.disks.flatMap((d) => ['-drive', `file=${esc(d)},format=raw,if=virtio,cache=unsafe`]),
  ];
}

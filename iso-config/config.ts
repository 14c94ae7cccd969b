// The typed shape of a validated ISO config (iso-config/schema.json with every default filled in).

export type Suite = 'trixie';
export type Architecture = 'amd64' | 'arm64';
export type FirmwareSet = 'free' | 'network' | 'wifi' | 'storage' | 'graphics' | 'misc' | 'microcode';
export type SquashfsCompression = 'zstd' | 'xz' | 'gzip' | 'lz4' | 'lzo';
export type NetworkMode = 'dhcp' | 'static' | 'off';
export type AutorunJob = 'backup' | 'restore' | 'repair-boot' | 'verify';
export type AfterJob = 'poweroff' | 'reboot' | 'shell';
export type SerialPort = 'ttyS0' | 'ttyS1' | 'ttyS2' | 'ttyS3';

export interface BootEntry {
  readonly id: string;
  readonly label: string;
  readonly params: readonly string[];
  readonly toRam: boolean;
}

export interface IsoConfig {
  readonly suite: Suite;
  readonly mirror: string;
  readonly architecture: Architecture;
  readonly packages: readonly string[];
  readonly firmware: readonly FirmwareSet[];
  readonly locale: string;
  readonly keymap: string;
  readonly timezone: string;
  readonly hostname: string;
  readonly volumeLabel: string;
  readonly output: { readonly fileName: string };
  readonly serialConsole: { readonly enabled: boolean; readonly port: SerialPort; readonly baud: number };
  readonly boot: {
    readonly timeout: number;
    readonly default: string;
    readonly kernelParams: readonly string[];
    readonly entries: readonly BootEntry[];
  };
  readonly node: { readonly version: string; readonly integrity?: string };
  readonly squashfs: { readonly compression: SquashfsCompression; readonly level?: number };
  readonly network: {
    readonly mode: NetworkMode;
    readonly interfaces: readonly string[];
    readonly address?: string;
    readonly gateway?: string;
    readonly dns?: readonly string[];
  };
  readonly ssh: { readonly enabled: boolean; readonly authorizedKeys: readonly string[] };
  readonly autorun?: {
    readonly job: AutorunJob;
    readonly disk?: string;
    readonly store?: string;
    readonly image?: string;
    readonly after: AfterJob;
    /** backup only: go on past unreadable sectors and record them (`lifeboat backup --rescue`). */
    readonly rescue?: boolean;
    /** A restic: store's password file (a place: LABEL=KEYS:/restic.pass, /dev/sdc1:/pass); never the password. */
    readonly passwordFile?: string;
  };
}

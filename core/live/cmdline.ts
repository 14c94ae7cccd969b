// Lifeboat's kernel parameters (lifeboat.job=… lifeboat.disk=…): written from the config's autorun section into the
// boot menu, read back from /proc/cmdline by the entry point. Both directions live here so they cannot drift apart.

export interface AutorunParams {
  job?: string;
  disk?: string;
  store?: string;
  image?: string;
  after?: string;
  /** A backup goes on past unreadable sectors (`--rescue`): `1`; the config's `rescue: true` writes it. */
  rescue?: string;
  /**
   * Where a restic: store's password is (lifeboat.password-file=LABEL=KEYS:/restic.pass, /dev/sdc1:/pass, or a path
   * in the live system): its place only, never the password itself, which must not reach the kernel command line.
   */
  passwordFile?: string;
}

const keys = ['job', 'disk', 'store', 'image', 'after', 'rescue', 'passwordFile'] as const;

/** A field's kernel parameter: lifeboat.password-file for passwordFile. */
function paramName(k: (typeof keys)[number]): string {
  return k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The kernel parameters for an autorun section (none without one); the config's booleans become 1 (false: no parameter). */
export function autorunKernelParams(autorun: { [K in keyof AutorunParams]?: string | boolean } | undefined): string[] {
  if (!autorun) return [];
  return keys.filter((k) => autorun[k] !== undefined && autorun[k] !== false).map((k) => `lifeboat.${paramName(k)}=${autorun[k] === true ? '1' : autorun[k]}`);
}

/** The lifeboat.* parameters of a kernel command line; the value is everything after the first "=". */
export function parseLifeboatParams(cmdline: string): AutorunParams {
  const out: AutorunParams = {};
  for (const word of cmdline.trim().split(/\s+/)) {
    const m = /^lifeboat\.([a-z-]+)=(.*)$/.exec(word);
    const key = m ? keys.find((k) => paramName(k) === m[1]) : undefined;
    if (key) out[key] = m![2]!;
  }
  return out;
}

/** The kernel's consoles (console=ttyS0,115200n8 console=tty0) as device paths: /dev/ttyS0, /dev/tty0. */
export function consoleDevices(cmdline: string): string[] {
  const out: string[] = [];
  for (const word of cmdline.trim().split(/\s+/)) {
    const m = /^console=([A-Za-z0-9]+)/.exec(word);
    if (m && !out.includes(`/dev/${m[1]}`)) out.push(`/dev/${m[1]}`);
  }
  return out;
}

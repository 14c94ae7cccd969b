// The text of the files system setup writes into the live root, as pure functions of the config (tested as text).
import type { IsoConfig } from '../../iso-config/config.js';
import path from 'node:path';
import { live } from '../../core/live/layout.js';

const generated = '# Written by lifeboat iso build.';

/** /usr/bin/lifeboat: the embedded Node runs the bundled CLI. */
export function commandLauncher(): string {
  return `#!/bin/sh\n${generated}\nexec ${live.node} ${live.app} "$@"\n`;
}

/** /usr/sbin/lifeboat-entry: what the consoles that log in by themselves run. */
export function entryLauncher(): string {
  return `#!/bin/sh\n${generated}\nexec ${live.node} ${live.entryScript} "$@"\n`;
}

/** A drop-in for getty@tty1 or serial-getty@ttySN: log in as root without a prompt (agetty --autologin). */
export function autologinDropIn(kind: 'screen' | 'serial', baud?: number): string {
  const speeds = [...new Set([baud ?? 115200, 115200, 57600, 38400, 9600])].join(',');
  const agetty = kind === 'serial' ? `--autologin root --noreset --noclear --keep-baud ${speeds} - \${TERM}` : '--autologin root --noreset --noclear - ${TERM}';
  return `${generated}\n[Service]\nExecStart=\nExecStart=-/sbin/agetty ${agetty}\n`;
}

/** The consoles that start the entry point: tty1, and the serial port when it is enabled. */
export function entryConsoles(c: IsoConfig): string[] {
  return ['/dev/tty1', ...(c.serialConsole.enabled ? [`/dev/${c.serialConsole.port}`] : [])];
}

/**
 * /root/.bash_profile: root's login shell on an entry console runs the Lifeboat entry point once, then stays a shell
 * (quitting Lifeboat, or Lifeboat failing, leaves the console usable).
 */
export function rootBashProfile(c: IsoConfig): string {
  const started = live.startedVariable;
  return [
    generated,
    '[ -f ~/.profile ] && . ~/.profile',
    `if [ -z "\${${started}:-}" ]; then`,
    '  case "$(tty)" in',
    `    ${entryConsoles(c).join('|')})`,
    `      export ${started}=1`,
    `      ${live.entry} || echo "lifeboat: the entry point failed (exit code $?); this is a plain shell"`,
    '      ;;',
    '  esac',
    'fi',
    '',
  ].join('\n');
}

export function hostsFile(hostname: string): string {
  return `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n`;
}

export function localeFile(locale: string): string {
  return `LANG=${locale}\n`;
}

/** /etc/locale.gen's line for a locale (the charset after the name, as Debian lists them). */
export function localeGenLine(locale: string): string {
  const charset = locale.endsWith('.UTF-8') ? 'UTF-8' : 'ISO-8859-1';
  return `${locale} ${charset}\n`;
}

/** /etc/default/keyboard for console-setup: "de-nodeadkeys" is layout de, variant nodeadkeys. */
export function keyboardFile(keymap: string): string {
  const [layout, variant = ''] = keymap.split('-');
  return `${generated}\nXKBMODEL="pc105"\nXKBLAYOUT="${layout}"\nXKBVARIANT="${variant}"\nXKBOPTIONS=""\nBACKSPACE="guess"\n`;
}

/** systemd-networkd's .network file for the wired interfaces. */
export function networkFile(n: IsoConfig['network']): string {
  const lines = [generated, '[Match]', `Name=${n.interfaces.join(' ')}`, '', '[Network]'];
  if (n.mode === 'dhcp') lines.push('DHCP=yes');
  else {
    lines.push(`Address=${n.address}`, `Gateway=${n.gateway}`, ...(n.dns ?? []).map((d) => `DNS=${d}`));
  }
  return `${lines.join('\n')}\n`;
}

/** sshd drop-in: root by key only, never a password. */
export function sshdConfig(): string {
  return `${generated}\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitEmptyPasswords no\n`;
}

/** Host keys are made at boot, so no two machines (nor two ISOs) share them. */
export function sshKeygenUnit(): string {
  return [
    generated,
    '[Unit]',
    'Description=SSH host keys for this boot',
    'Before=ssh.service',
    'ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key',
    '',
    '[Service]',
    'Type=oneshot',
    'ExecStart=/usr/bin/ssh-keygen -A',
    '',
    '[Install]',
    'WantedBy=ssh.service',
    '',
  ].join('\n');
}

export function authorizedKeys(keys: readonly string[]): string {
  return keys.map((k) => `${k}\n`).join('');
}

export function fstab(): string {
  return `${generated}\n# The live system's filesystems are mounted by live-boot.\n`;
}

export function diskInfo(c: IsoConfig, version: string): string {
  return `Lifeboat ${version} ${c.architecture} (Debian ${c.suite})\n`;
}

/**
 * Files written into the live root before any package is installed (mmdebstrap's setup hook), so that neither the
 * live system nor its initrd (whose lvm2 and mdadm hooks copy them) assembles or activates anything on the disks it
 * boots beside: md's incremental assembly by udev updates the members' superblocks (event counts, the array's
 * state), which would change the disk a person boots Lifeboat to image; LVM's udev activation makes VGs busy that
 * a restore must recreate. Lifeboat assembles and activates itself, when a job needs it. An empty rules file in
 * /etc/udev/rules.d masks the one of the same name in /usr/lib/udev/rules.d; mdadm's postinst keeps an existing
 * mdadm.conf, whose `AUTO -all` also stops `mdadm --incremental` in the initrd.
 */
export function noAutoAssemblyFiles(): Record<string, string> {
  const rule = `${generated}\n# Masks the packaged rule: Lifeboat assembles and activates only when a job asks for it.\n`;
  return {
    '/etc/udev/rules.d/64-md-raid-assembly.rules': rule,
    '/etc/udev/rules.d/69-lvm.rules': rule,
    '/etc/mdadm/mdadm.conf': `${generated}\n# No array is assembled automatically: Lifeboat assembles the ones a job needs.\nAUTO -all\n`,
  };
}

/** mmdebstrap --setup-hook shell commands that write files into the root ("$1"); contents without single quotes. */
export function setupHookCommands(files: Record<string, string>): string[] {
  return Object.entries(files).map(([file, text]) => {
    if (text.includes("'") || file.includes("'")) throw new Error(`${file}: a setup-hook file may not contain single quotes`);
    return `mkdir -p "$1${path.posix.dirname(file)}" && printf '%s' '${text}' >"$1${file}"`;
  });
}

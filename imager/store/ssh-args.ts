// The argv of an SSH store's commands (sshfs, and the ssh that explains a failed mount): key only, batch mode (no
// prompt ever), the host key checked strictly against one known_hosts file that is never written, no ssh_config of
// the user's; keep-alives end a dead connection within 15 s, and sshfs does not reconnect (a job must not write on
// after a drop as if nothing happened). Paths of files only: a key's content is never on a command line.
import os from 'node:os';
import path from 'node:path';
import type { StoreMode } from './store.js';
import type { SshRef } from './uri.js';

/** The known_hosts file of the store: the one given, or the user's own. */
export function knownHostsOf(ref: SshRef): string {
  return ref.knownHostsFile ?? path.join(os.homedir(), '.ssh', 'known_hosts');
}

/** The options ssh and sshfs take alike. */
export function sshOptions(ref: SshRef): string[] {
  const o = (opt: string) => ['-o', opt];
  return [
    '-F', '/dev/null',
    ...(ref.port !== undefined ? ['-p', String(ref.port)] : []),
    ...o('BatchMode=yes'),
    ...o('PasswordAuthentication=no'),
    ...o('KbdInteractiveAuthentication=no'),
    ...o('PubkeyAuthentication=yes'),
    ...(ref.identityFile ? [...o(`IdentityFile=${path.resolve(ref.identityFile)}`), ...o('IdentitiesOnly=yes')] : []),
    ...o('StrictHostKeyChecking=yes'),
    ...o(`UserKnownHostsFile=${path.resolve(knownHostsOf(ref))}`),
    ...o('UpdateHostKeys=no'),
    ...o('ConnectTimeout=15'),
    ...o('ServerAliveInterval=5'),
    ...o('ServerAliveCountMax=3'),
  ];
}

function login(ref: SshRef): string {
  return `${ref.user}@${ref.host.includes(':') ? `[${ref.host}]` : ref.host}`;
}

/** sshfs's argv (without the program): the server's folder onto dir, read-only for a reading job. */
export function sshfsArgs(ref: SshRef, mode: StoreMode, dir: string): string[] {
  return [...sshOptions(ref), ...(mode === 'read' ? ['-o', 'ro'] : []), '--', `${login(ref)}:${ref.path}`, dir];
}

/** ssh's argv that opens the same session as sshfs (the sftp subsystem, ended by stdin's end): its stderr says why a mount failed. */
export function sshProbeArgs(ref: SshRef): string[] {
  return [...sshOptions(ref), '-s', '--', login(ref), 'sftp'];
}

// What an SSH store's failure means, in one line that names the store: an unknown or changed host key (with the
// server's fingerprint, from ssh-keyscan and ssh-keygen -lf through the Runner, and how to pin it), a refused key,
// an unreachable host, a missing folder, a connection lost during the job, or a server that filled up.
import { CommandError, HostKeyError, LifeboatError, NoSpaceError, NotFoundError, StoreUnreachableError } from '../../core/errors.js';
import { bytes } from '../../core/format.js';
import type { Runner } from '../../core/runner/run.js';
import { sshProbeArgs } from './ssh-args.js';
import { sshUri, type SshRef } from './uri.js';

/** The host as ssh-keyscan and known_hosts write it: host, or [host]:port off port 22. */
function knownHostsName(ref: SshRef): string {
  return ref.port === undefined || ref.port === 22 ? ref.host : `[${ref.host}]:${ref.port}`;
}

/** The server's host key fingerprints as `ED25519 SHA256:…` (ED25519 first), or undefined when none was read. */
export async function serverFingerprint(runner: Runner, ref: SshRef): Promise<string | undefined> {
  try {
    const scan = await runner.run('ssh-keyscan', ['-T', '5', ...(ref.port !== undefined ? ['-p', String(ref.port)] : []), '--', ref.host]);
    if (!scan.stdout.trim()) return undefined;
    const prints = (await runner.run('ssh-keygen', ['-l', '-f', '-'], { input: scan.stdout })).stdout
      .split('\n')
      .map((l) => /^\d+\s+(\S+)\s+.*\((\w+)\)\s*$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ type: m[2]!, print: m[1]! }));
    prints.sort((a, b) => Number(b.type === 'ED25519') - Number(a.type === 'ED25519'));
    const first = prints[0];
    return first ? `${first.type} ${first.print}` : undefined;
  } catch {
    return undefined;
  }
}

/** ssh's own words among a failed command's stderr lines (the line that says why). */
function sshReason(stderr: string, pattern: RegExp): string {
  return (stderr.split('\n').find((l) => pattern.test(l)) ?? '').replace(/^.*?: (?=[A-Z])/, '').trim();
}

const unreachable = /Connection refused|No route to host|Connection timed out|timed out|Could not resolve hostname|Name or service not known|Network is unreachable|Connection closed|Connection reset/i;

/** ssh's own words on the session sshfs could not open: sshfs (not debugging) sends ssh's stderr to /dev/null. */
async function sshSays(runner: Runner, ref: SshRef): Promise<string> {
  try {
    await runner.run('ssh', sshProbeArgs(ref), { input: '' });
    return '';
  } catch (e) {
    return e instanceof CommandError ? e.stderrTail : '';
  }
}

/** The failure of mounting an SSH store, as the error a user can act on; other failures are returned as they are. */
export async function explainMountFailure(runner: Runner, ref: SshRef, knownHosts: string, e: unknown): Promise<unknown> {
  if (!(e instanceof CommandError)) return e;
  const uri = sshUri(ref);
  if (/No such file or directory/i.test(e.stderrTail)) return new NotFoundError(`the folder ${ref.path} does not exist on the server of ${uri}`, 'make the folder on the server first, or give another path');
  // sshfs's own "read: Connection reset by peer" follows every failed session: ssh's line says why.
  const err = `${e.stderrTail}\n${await sshSays(runner, ref)}`.replace(/^read: Connection reset by peer\s*$/gm, '');
  if (/Host key verification failed|HOST IDENTIFICATION HAS CHANGED|No \w+ host key is known/i.test(err)) {
    const print = (await serverFingerprint(runner, ref)) ?? 'not readable (ssh-keyscan got no key)';
    const name = knownHostsName(ref);
    const type = /^(ED25519|ECDSA|RSA) /.exec(print)?.[1]?.toLowerCase();
    const scan = `ssh-keyscan${ref.port !== undefined ? ` -p ${ref.port}` : ''}${type ? ` -t ${type}` : ''} ${ref.host}`;
    if (/HOST IDENTIFICATION HAS CHANGED/i.test(err))
      return new HostKeyError(
        `refused ${uri}: the server's host key has CHANGED from the one pinned in ${knownHosts}; it now shows ${print}; if the server was reinstalled, remove the old pin (ssh-keygen -R '${name}' -f ${knownHosts}) and pin the new key (${scan} >> ${knownHosts})`,
        'a changed host key can also mean that another machine answers in the server\'s name: check the fingerprint on the server (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub)',
      );
    return new HostKeyError(
      `refused ${uri}: the server's host key ${print} is not pinned in ${knownHosts}; if that is the server's key, pin it: ${scan} >> ${knownHosts} (or give --known-hosts FILE)`,
      'check the fingerprint on the server first (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub); Lifeboat never trusts a host key on first use',
    );
  }
  if (/Permission denied|Too many authentication failures|no mutual signature|Authentication failed/i.test(err))
    return new StoreUnreachableError(
      `the SSH server of ${uri} refused the key ${ref.identityFile ?? "(ssh's default keys in ~/.ssh)"}: ${sshReason(err, /Permission denied|Too many|Authentication/i) || 'permission denied'}`,
      `put the key's .pub into ~${ref.user}/.ssh/authorized_keys on the server, or give the right one with --ssh-key FILE (key only: no passwords; a key with a passphrase cannot be used)`,
      e,
    );
  if (unreachable.test(err))
    return new StoreUnreachableError(`the SSH store ${uri} cannot be reached: ${sshReason(err, unreachable) || 'no connection'}`, 'check the host, the port and the network (is the server up, is sshd listening?)', e);
  return e;
}

/** A failure during the job while the mount is gone: the store lost, named, with what stays on the server. */
export function lostStore(ref: SshRef, e: unknown): LifeboatError {
  return new StoreUnreachableError(
    `lost the connection to the SSH store ${sshUri(ref)} during the job: the server or the network went away`,
    'nothing on the server looks complete: a backup\'s partial folder (.NAME.lifeboat-partial) stays marked in-progress and the next backup of that name replaces it; check the server and the network, then run the job again',
    e,
  );
}

/** A write that failed because the server's filesystem has no room: the store named, the partial image gone. */
export function serverFull(ref: SshRef, roomLeft: number, e: unknown): LifeboatError {
  return new NoSpaceError(
    `the destination is full: the server of the SSH store ${sshUri(ref)} has no room left (${bytes(roomLeft)} free when the write failed)`,
    'the partial image was removed from the server; free space there, or choose another store',
    e,
  );
}

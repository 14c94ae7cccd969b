// The one parser of store URIs (CLI, UI, config, kernel command line): ssh://user@host[:port]/path today; smb:// and
// nfs:// are named and refused as not supported yet. A malformed URI is one line and exit 2 (UsageError).
import path from 'node:path';
import { UsageError } from '../../core/errors.js';

/** An SSH store: a folder on a server reached by key only; credentials and pins are the caller's (CLI, config). */
export interface SshRef {
  kind: 'ssh';
  user: string;
  host: string;
  /** undefined: ssh's own default (22). */
  port: number | undefined;
  /** The folder on the server, absolute, without a trailing slash ('/' for the root). */
  path: string;
  /** The private key's file (its path only: the key's content is never read into a command line or a log). */
  identityFile?: string | undefined;
  /** The known_hosts file that pins the server's host key (default: the user's ~/.ssh/known_hosts). */
  knownHostsFile?: string | undefined;
}

/** What the caller gives for reaching network stores (CLI options; the ISO config later). */
export interface StoreAccess {
  sshKey?: string | undefined;
  knownHosts?: string | undefined;
  /** Image repositories (restic:…): the password's file, or the password a face asked for (never from a command line). */
  passwordFile?: string | undefined;
  password?: string | undefined;
}

const sshForm = 'ssh://user@host[:port]/path';
const notYet: Record<string, string> = { smb: 'SMB', cifs: 'SMB', nfs: 'NFS' };

/** Whether the words are a URI (scheme://…) rather than a path or a partition. */
export function isStoreUri(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

function malformed(text: string, why: string): UsageError {
  return new UsageError(`the store URI ${text} is malformed: ${why}`, `write it as ${sshForm}, e.g. ssh://backup@nas/srv/images`);
}

/** A user or host name that cannot be taken for an ssh option or break the user@host:path argument. */
const safeName = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Parses a store URI; throws UsageError (exit 2) with one line for a malformed or unsupported one. */
export function parseStoreUri(text: string, access: StoreAccess = {}): SshRef {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase() ?? '';
  if (notYet[scheme]) throw new UsageError(`the store ${text}: ${notYet[scheme]} stores are not supported yet`, `give a folder, a partition (/dev/sdb1, LABEL=NAME:/folder) or ${sshForm}`);
  if (scheme !== 'ssh') throw new UsageError(`the store ${text}: unknown kind of store '${scheme}://'`, `give a folder, a partition (/dev/sdb1, LABEL=NAME:/folder) or ${sshForm}`);
  const m = /^ssh:\/\/(?:([^@/]*)@)?(\[[^\]/]*\]|[^:/]*)(?::([^/]*))?(\/.*)?$/i.exec(text);
  if (!m) throw malformed(text, 'it is not of the form user@host[:port]/path');
  const [, user, rawHost, rawPort, rawPath] = m;
  if (user === undefined || user === '') throw malformed(text, 'it names no user (user@host)');
  if (!safeName.test(user)) throw malformed(text, `the user '${user}' has characters a user name cannot have`);
  const v6 = /^\[([0-9A-Fa-f:.]+)\]$/.exec(rawHost ?? '');
  const host = v6 ? v6[1]! : (rawHost ?? '');
  if (host === '') throw malformed(text, 'it names no host');
  if (!v6 && !safeName.test(host)) throw malformed(text, `the host '${host}' is not a host name or an address`);
  let port: number | undefined;
  if (rawPort !== undefined) {
    if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) < 1 || Number(rawPort) > 65535) throw malformed(text, `the port '${rawPort}' is not a number from 1 to 65535`);
    port = Number(rawPort);
  }
  if (rawPath === undefined || rawPath === '') throw malformed(text, 'it names no folder on the server (…/path)');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw malformed(text, 'its path has a broken %-escape');
  }
  if (/[\0\n]/.test(decoded) || decoded.split('/').includes('..')) throw malformed(text, 'its path has .. or control characters');
  const folder = path.posix.normalize(decoded).replace(/(.)\/+$/, '$1');
  return { kind: 'ssh', user, host, port, path: folder, identityFile: access.sshKey, knownHostsFile: access.knownHosts };
}

/** The URI of an SSH store, or of a folder in it (`sub`), in the one canonical form. */
export function sshUri(ref: Pick<SshRef, 'user' | 'host' | 'port' | 'path'>, sub = ''): string {
  const host = ref.host.includes(':') ? `[${ref.host}]` : ref.host;
  const full = sub ? path.posix.join(ref.path, sub) : ref.path;
  return `ssh://${ref.user}@${host}${ref.port !== undefined ? `:${ref.port}` : ''}${full}`;
}

// The words of an image repository (restic): restic:PATH, restic:sftp:user@host:/path, restic:rest:http[s]://host:port/path,
// optionally followed by #SNAPSHOT (an image in it). A malformed one is one line and exit 2 (UsageError).
import { looksLikePartitionPlace, parsePartitionPlace } from '../store/place.js';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';

/** Where the password comes from: a file (its path only), or text the face asked for (written to a private 0600 file). */
export type RepositoryPassword = { file: string } | { text: string };

/** A restic repository as a store: what restic calls its repository, and how to open it. */
export interface ResticRef {
  kind: 'restic';
  /** restic's own repository string (`/srv/repo`, `sftp:user@host:/path`, `rest:http://host:8000/`). */
  repository: string;
  /** The words as the user gave them, without the password (`restic:/srv/repo`). */
  uri: string;
  /** A local folder: its absolute path (free space, the disk it lives on). */
  localPath: string | undefined;
  /** How the password is given; undefined: restic's own environment (RESTIC_PASSWORD, RESTIC_PASSWORD_FILE, RESTIC_PASSWORD_COMMAND). */
  password?: RepositoryPassword | undefined;
  /** sftp: the private key and the known_hosts file (the SSH store's rules: key only, the host key pinned). */
  identityFile?: string | undefined;
  knownHostsFile?: string | undefined;
  /**
   * A local repository in a partition (restic:LABEL=STORE:/repo, restic:/dev/sdb1:/repo; Clonezilla's forms of a
   * store): mounted for the job, the repository the folder in it. repository and localPath are then set on opening.
   */
  on?: { device: string; folder: string } | undefined;
}

const prefix = 'restic:';
const forms = 'restic:/path, restic:LABEL=NAME:/path (a partition), restic:sftp:user@host:/path or restic:rest:http://host:port/';

/** Whether the words name a restic repository (or an image in one). */
export function isRepositoryUri(text: string): boolean {
  return text.startsWith(prefix);
}

function malformed(text: string, why: string): UsageError {
  return new UsageError(`the repository ${text} is malformed: ${why}`, `write it as ${forms}`);
}

const safeName = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Splits `restic:…#SNAPSHOT` into the repository and the snapshot (undefined: none named). */
export function splitSnapshot(text: string): { repo: string; snapshot: string | undefined } {
  const at = text.lastIndexOf('#');
  if (at < 0) return { repo: text, snapshot: undefined };
  const snapshot = text.slice(at + 1);
  if (!/^(latest|[0-9a-f]{8,64})$/.test(snapshot)) throw new UsageError(`${text}: '#${snapshot}' is not a snapshot`, 'name a snapshot by its id as `lifeboat images` shows it (8 or more hex digits), or #latest');
  return { repo: text.slice(0, at), snapshot };
}

/** Parses restic:… (without #SNAPSHOT); access carries the password and the SSH key and pins. */
export function parseRepositoryUri(text: string, access: { passwordFile?: string | undefined; password?: string | undefined; sshKey?: string | undefined; knownHosts?: string | undefined } = {}): ResticRef {
  if (!isRepositoryUri(text)) throw malformed(text, `it does not start with ${prefix}`);
  const rest = text.slice(prefix.length);
  if (rest === '') throw malformed(text, 'it names no repository');
  if (/[\0\n]/.test(rest)) throw malformed(text, 'it has control characters');
  const password: RepositoryPassword | undefined = access.password !== undefined ? { text: access.password } : access.passwordFile !== undefined ? { file: path.resolve(access.passwordFile) } : undefined;
  const base = { kind: 'restic' as const, uri: text, ...(password ? { password } : {}) };
  if (rest.startsWith('sftp:')) {
    // restic's two forms: sftp:user@host:/path, and sftp://user@host[:port]//path (its URL form, with a port).
    const short = /^sftp:([^@/:]+)@(\[[^\]]+\]|[^:/]+):(\/.*)$/.exec(rest);
    const long = /^sftp:\/\/([^@/:]+)@(\[[^\]]+\]|[^:/]+)(?::(\d{1,5}))?\/(.+)$/.exec(rest);
    const m = short ?? long;
    if (!m) throw malformed(text, 'an SFTP repository is sftp:user@host:/path (or sftp://user@host:port//path)');
    const [, user, host] = m;
    if (!safeName.test(user!)) throw malformed(text, `the user '${user}' has characters a user name cannot have`);
    if (!/^\[[0-9A-Fa-f:.]+\]$/.test(host!) && !safeName.test(host!)) throw malformed(text, `the host '${host}' is not a host name or an address`);
    const repository = rest;
    return { ...base, repository, localPath: undefined, identityFile: access.sshKey, knownHostsFile: access.knownHosts };
  }
  if (rest.startsWith('rest:')) {
    const url = rest.slice(5);
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw malformed(text, `'${url}' is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw malformed(text, 'a REST repository is rest:http://… or rest:https://…');
    if (u.password) throw new UsageError(`the repository ${text} carries a password in its URL`, 'a password never goes on a command line: give the REST server\'s credentials in RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD');
    return { ...base, repository: rest, localPath: undefined };
  }
  // A repository on a partition: the device (a node or LABEL=/UUID=/PARTUUID=/PARTLABEL=), then :/folder (optional).
  // A bare /dev/ path is a partition only as a node (/dev/sdb1) or a /dev/disk/ link; else a folder under /dev.
  const held = looksLikePartitionPlace(rest) || /^\/dev\/[^/:]+$|^\/dev\/disk\/[^:]+$/.test(rest) ? parsePartitionPlace(rest) : undefined;
  if (held !== undefined && 'error' in held) throw malformed(text, held.error);
  if (held !== undefined) return { ...base, uri: `${prefix}${held.device}${held.inside ? `:/${held.inside}` : ''}`, repository: '', localPath: undefined, on: { device: held.device, folder: held.inside } };
  if (/^[a-z0-9]+:/.test(rest) && !rest.startsWith('local:')) throw new UsageError(`the repository ${text}: restic's '${rest.split(':')[0]}' backend is not supported yet`, `give ${forms}`);
  const folder = rest.startsWith('local:') ? rest.slice(6) : rest;
  if (folder === '') throw malformed(text, 'it names no folder');
  const local = path.resolve(folder);
  return { ...base, uri: `${prefix}${local}`, repository: local, localPath: local };
}

// The options every command that opens a store shares: how to reach a network store (--ssh-key, --known-hosts) and
// an image repository's password (--password-file, restic's environment, or asked on the terminal; never an argument).
import type { Argv } from 'yargs';
import { isRepositoryUri, parseRepositoryUri, splitSnapshot } from '../imager/repository/uri.js';
import type { StoreAccess } from '../imager/store/uri.js';
import { askRepositoryPassword, passwordGiven } from './password-prompt.js';

export function withStoreAccessOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('ssh-key', { type: 'string', describe: 'ssh:// stores and restic:sftp: repositories: the private key file to log in with (key only; never a password)' })
    .option('known-hosts', { type: 'string', describe: "ssh:// stores and restic:sftp: repositories: the known_hosts file that pins the server's host key (default ~/.ssh/known_hosts)" })
    .option('password-file', { type: 'string', describe: "restic: repositories: the file that holds the repository's password (else RESTIC_PASSWORD_FILE, or asked on the terminal)" }) as never;
}

type AccessArgs = { sshKey?: string | undefined; knownHosts?: string | undefined; passwordFile?: string | undefined };

export function storeAccess(argv: AccessArgs): StoreAccess {
  return { sshKey: argv.sshKey, knownHosts: argv.knownHosts, passwordFile: argv.passwordFile };
}

/** The access for these words; a repository without a password given is asked for one on the terminal. */
export async function storeAccessFor(argv: AccessArgs, words: Array<string | undefined>, mode: 'read' | 'write'): Promise<StoreAccess> {
  const access = storeAccess(argv);
  const repo = words.find((w): w is string => w !== undefined && isRepositoryUri(w));
  if (!repo || passwordGiven(argv.passwordFile)) return access;
  return { ...access, password: await askRepositoryPassword(parseRepositoryUri(splitSnapshot(repo).repo), mode) };
}

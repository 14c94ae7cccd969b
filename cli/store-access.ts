// The options every command that opens a store shares: how to reach a network store (--ssh-key, --known-hosts).
import type { Argv } from 'yargs';
import type { StoreAccess } from '../imager/store/uri.js';

export function withStoreAccessOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('ssh-key', { type: 'string', describe: 'ssh:// stores: the private key file to log in with (key only; never a password)' })
    .option('known-hosts', { type: 'string', describe: "ssh:// stores: the known_hosts file that pins the server's host key (default ~/.ssh/known_hosts)" }) as never;
}

export function storeAccess(argv: { sshKey?: string | undefined; knownHosts?: string | undefined }): StoreAccess {
  return { sshKey: argv.sshKey, knownHosts: argv.knownHosts };
}

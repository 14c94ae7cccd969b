// restic through the Runner: the repository and the password passed in the environment (RESTIC_REPOSITORY, and
// RESTIC_PASSWORD_FILE naming a 0600 file in a private folder: never on a command line or in the log), no cache by
// default (a live system starts with an empty one), the version detected, and restic's failures in one line each.
import { constants } from 'node:fs';
import { access, chmod, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassphraseError, CommandError, InvalidImageError, NotFoundError, RefusedError, StoreUnreachableError, UsageError } from '../../core/errors.js';
import type { RunOptions, RunResult, Runner } from '../../core/runner/run.js';
import { sshOptions } from '../store/ssh-args.js';
import type { ResticRef } from './uri.js';

export interface ResticVersion {
  major: number;
  minor: number;
  patch: number;
}

/** restic, opened for one job: argv and environment for each of its commands; release removes the private folder. */
export interface Restic {
  readonly ref: ResticRef;
  readonly version: ResticVersion;
  /** A private folder (0700) of this job: the password file, the mount point, staging folders. */
  readonly privateDir: string;
  /** The environment every restic command gets (names the password file, never holds the password). */
  readonly env: Record<string, string>;
  /**
   * The argv of a restic command, with the global options; with `dieWithParent`, setpriv first, so restic gets that
   * signal when Lifeboat dies: SIGKILL for a backup (it must never see the end of a cut-off stream and commit it),
   * SIGTERM for a mount (restic then unmounts itself).
   */
  argv(args: string[], o?: { dieWithParent?: 'SIGKILL' | 'SIGTERM' }): string[];
  /** Runs restic; a failure comes back as restic's reason in one line (wrong password, no repository, locked, damaged). */
  run(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** restic's failure in one line, as a LifeboatError (or the error itself when restic's words are not known). */
  explain(e: unknown): unknown;
  release(): Promise<void>;
}

/** `restic version`'s output: "restic 0.14.0 compiled with go1.19.8 on linux/amd64". */
export function parseResticVersion(text: string): ResticVersion {
  const m = /restic (\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) throw new Error(`cannot read restic's version from: ${text.trim().slice(0, 200)}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** restic's error text as one of Lifeboat's errors; undefined when the words are not known. */
export function classifyResticFailure(stderr: string, exitCode: number | undefined, what: string): Error | undefined {
  // restic 0.17+ exit codes: 10 no repository, 11 locked, 12 wrong password; 0.14 says it in words only (exit 1).
  if (exitCode === 12 || /wrong password or no key found/.test(stderr)) return new PassphraseError(`the password does not open the restic repository ${what}`, 'give its password: --password-file FILE, RESTIC_PASSWORD_FILE, or type it when asked');
  const locked = /repository is already locked(?: exclusively)? by (.+)\n(?:.*\n)*?lock was created at ([^\n(]+)/.exec(stderr);
  if (exitCode === 11 || locked)
    return new RefusedError(
      `the restic repository ${what} is in use by ${locked ? `${locked[1]!.trim()}, since ${locked[2]!.trim()}` : 'another restic process'}`,
      "wait for that job to end; a lock whose process has ended on this host, or older than 30 minutes, is taken over (restic's own rule)",
    );
  if (/dial tcp|connection refused|no such host|i\/o timeout|network is unreachable|ssh: |subprocess ssh|Connection closed|Host key verification failed|Permission denied \(publickey/i.test(stderr))
    return new StoreUnreachableError(`cannot reach the restic repository ${what}: ${lastLine(stderr)}`, 'check the server, the address and the key');
  if (exitCode === 10 || /unable to open config file|Is there a repository at the following location/.test(stderr)) return new InvalidImageError(`${what} is not a restic repository`, { hint: 'give the folder or URL of a restic repository (lifeboat backup creates one in an empty or new folder)' });
  if (/ciphertext verification failed|invalid data returned|pack file cannot be listed|Load\(<data\/|wrong data returned|damaged|hash does not match|decrypting blob .* failed|unexpected EOF/i.test(stderr))
    return new InvalidImageError(`the restic repository ${what} is damaged: ${lastLine(stderr)}`, { hint: 'run lifeboat verify with --read-data to see which snapshots it hits; restore from another snapshot or repository' });
  return undefined;
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^(the `unlock` command|storage ID)/.test(l))
      .slice(-1)[0] ?? ''
  ).replace(/^Fatal: /, '');
}

/** Where `setpriv` is (util-linux): restic then dies with Lifeboat, so a killed backup never commits a cut-off stream. */
async function findSetpriv(): Promise<string | undefined> {
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(':')) {
    const p = path.join(dir, 'setpriv');
    if (await access(p, constants.X_OK).then(() => true, () => false)) return p;
  }
  return undefined;
}

/** restic's sftp backend runs ssh with the SSH store's options (key only, batch mode, the host key pinned). */
function sftpCommand(ref: ResticRef): string[] {
  if (!ref.repository.startsWith('sftp:')) return [];
  const m = /^sftp:(?:\/\/)?([^@]+)@(\[[^\]]+\]|[^:/]+)(?::(\d+))?[:/]/.exec(ref.repository);
  if (!m) return [];
  const [, user, rawHost, port] = m;
  const host = rawHost!.replace(/^\[|\]$/g, '');
  const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);
  const ssh = { kind: 'ssh' as const, user: user!, host, port: port ? Number(port) : undefined, path: '/', identityFile: ref.identityFile, knownHostsFile: ref.knownHostsFile };
  return ['-o', `sftp.command=ssh ${[...sshOptions(ssh), `${user}@${host}`, '-s', 'sftp'].map(q).join(' ')}`];
}

/** Opens restic for a job: version, private folder, password file. release() must run. */
export async function openRestic(runner: Runner, ref: ResticRef): Promise<Restic> {
  const versionText = (await runner.run('restic', ['version'])).stdout;
  const version = parseResticVersion(versionText);
  const privateDir = await mkdtemp(path.join(process.env['LIFEBOAT_REPOSITORY_TMP'] ?? os.tmpdir(), 'lifeboat-restic-'));
  await chmod(privateDir, 0o700);
  try {
    const env: Record<string, string> = { RESTIC_REPOSITORY: ref.repository };
    const pw = ref.password;
    if (pw && 'text' in pw) {
      const file = path.join(privateDir, 'password');
      await writeFile(file, `${pw.text}\n`, { mode: 0o600 });
      Object.assign(env, { RESTIC_PASSWORD_FILE: file });
    } else if (pw) {
      if (!(await access(pw.file, constants.R_OK).then(() => true, () => false))) throw new NotFoundError(`the password file ${pw.file} does not exist or cannot be read`, 'give the file that holds the repository\'s password with --password-file FILE');
      Object.assign(env, { RESTIC_PASSWORD_FILE: pw.file });
    } else if (!process.env['RESTIC_PASSWORD'] && !process.env['RESTIC_PASSWORD_FILE'] && !process.env['RESTIC_PASSWORD_COMMAND']) {
      throw new UsageError(`no password for the restic repository ${ref.uri}`, 'give --password-file FILE (or RESTIC_PASSWORD_FILE in the environment), or run it on a terminal to be asked');
    }
    // Only one password source reaches restic: ours replaces any of the environment's.
    if (pw) Object.assign(env, { RESTIC_PASSWORD: '', RESTIC_PASSWORD_COMMAND: '' });
    const cacheDir = process.env['LIFEBOAT_RESTIC_CACHE_DIR'];
    const global = [...(cacheDir ? ['--cache-dir', cacheDir] : ['--no-cache']), ...sftpCommand(ref)];
    const setpriv = await findSetpriv();
    const argv = (args: string[], o: { dieWithParent?: 'SIGKILL' | 'SIGTERM' } = {}) => [...(o.dieWithParent && setpriv ? [setpriv, `--pdeathsig=${o.dieWithParent}`, '--'] : []), 'restic', ...global, ...args];
    const explain = (e: unknown): unknown => (e instanceof CommandError && /restic/.test(e.command) ? (classifyResticFailure(e.stderrTail, e.exitCode, ref.uri) ?? e) : e);
    return {
      ref,
      version,
      privateDir,
      env,
      argv,
      explain,
      async run(args, opts = {}) {
        const [file, ...rest] = argv(args);
        try {
          return await runner.run(file!, rest, { ...opts, env: { ...env, ...(opts.env ?? {}) } });
        } catch (e) {
          throw explain(e);
        }
      },
      // Never a recursive remove: a mount that failed to go would be walked into. The jobs remove what they made.
      release: async () => {
        await rm(path.join(privateDir, 'password'), { force: true });
        await rmdir(privateDir).catch(() => undefined);
      },
    };
  } catch (e) {
    await rm(path.join(privateDir, 'password'), { force: true });
    await rmdir(privateDir).catch(() => undefined);
    throw e;
  }
}

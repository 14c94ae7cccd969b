// Asks for an image repository's password on the terminal, without echo; twice when a new repository is created.
import { openSync, closeSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ReadStream, WriteStream } from 'node:tty';
import { UsageError } from '../core/errors.js';
import type { ResticRef } from '../imager/repository/uri.js';

/** Reads one line from the terminal with echo off. */
function askHidden(question: string): Promise<string> {
  const fdIn = openSync('/dev/tty', 'r');
  const fdOut = openSync('/dev/tty', 'w');
  const input = new ReadStream(fdIn);
  const output = new WriteStream(fdOut);
  output.write(question);
  input.setRawMode(true);
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const done = (e?: Error) => {
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      input.destroy();
      output.destroy();
      try {
        closeSync(fdIn);
        closeSync(fdOut);
      } catch {
        /* already closed by the streams */
      }
      if (e) reject(e);
      else resolve(text);
    };
    input.on('data', (b: Buffer) => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('no password given (Ctrl-C)'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    });
  });
}

/** Whether a password is known without asking: a file, or restic's own environment variables. */
export function passwordGiven(passwordFile: string | undefined): boolean {
  return passwordFile !== undefined || Boolean(process.env['RESTIC_PASSWORD'] || process.env['RESTIC_PASSWORD_FILE'] || process.env['RESTIC_PASSWORD_COMMAND']);
}

/** Asks for the repository's password; a local folder without a repository yet (a backup creates it) asks twice. */
export async function askRepositoryPassword(ref: ResticRef, mode: 'read' | 'write'): Promise<string> {
  if (!process.stdin.isTTY || !existsSync('/dev/tty')) throw new UsageError(`no password for the restic repository ${ref.uri}`, 'give --password-file FILE (or RESTIC_PASSWORD_FILE in the environment); Lifeboat asks only on a terminal');
  const creating = mode === 'write' && ref.localPath !== undefined && !existsSync(path.join(ref.localPath, 'config'));
  const first = await askHidden(creating ? `Password for the new repository ${ref.uri}: ` : `Password of ${ref.uri}: `);
  if (first === '') throw new UsageError('the password is empty', 'give a password, or --password-file FILE');
  if (!creating) return first;
  const again = await askHidden('The same password again: ');
  if (again !== first) throw new UsageError('the two passwords differ: nothing was created', 'run the backup again and type the same password twice');
  return first;
}

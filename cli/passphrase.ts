// The CLI's passphrases of encrypted images: --passphrase-file FILE, or typed at the terminal without echo (twice for
// a new image); never an option's value, so never on a command line or in the shell's history.
import type { Argv } from 'yargs';
import { InterruptedError, PassphraseError, UsageError } from '../core/errors.js';
import { askedOnce, checkedPassphrase, readPassphraseFile, type PassphraseSource } from '../imager/crypt/passphrase.js';

export function withPassphraseOptions<T>(y: Argv<T>): Argv<T> {
  return y.option('passphrase-file', { type: 'string', describe: "Encrypted images: the file whose first line is the passphrase (else it is asked at the terminal)" }) as never;
}

/** Reads one line from the terminal without echo; Ctrl-C stops with nothing written. */
async function readHidden(question: string, signal?: AbortSignal): Promise<string> {
  const stdin = process.stdin;
  // Echo off before the question shows: what is typed once it is seen never reaches the screen.
  stdin.setRawMode(true);
  process.stderr.write(question);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let typed = '';
    const end = () => {
      stdin.off('data', onData);
      signal?.removeEventListener('abort', onAbort);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onAbort = () => {
      end();
      reject(new InterruptedError('interrupted: nothing was written'));
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          end();
          resolve(typed);
          return;
        }
        if (ch === '\u0003') return onAbort();
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    stdin.on('data', onData);
  });
}

/** A new image's passphrase: from the file, or typed twice at the terminal (the two must match). */
export function newPassphrase(file: string | undefined, signal?: AbortSignal): PassphraseSource {
  if (file !== undefined) return () => readPassphraseFile(file);
  return async (image) => {
    if (!process.stdin.isTTY) throw new UsageError('--encrypt needs a passphrase and there is no terminal to type it on: nothing was written', 'give the file that holds it with --passphrase-file FILE');
    const first = checkedPassphrase(await readHidden(`Passphrase for the encrypted image ${image} (not shown; without it the image cannot be restored): `, signal), 'typed');
    const second = await readHidden('The same passphrase again: ', signal);
    if (first !== second) throw new UsageError('the two passphrases typed differ: nothing was written', 'run the backup again and type the same passphrase twice');
    return first;
  };
}

/** An existing image's passphrase, asked only if the image is encrypted, and once per image. */
export function existingPassphrase(file: string | undefined, signal?: AbortSignal): PassphraseSource {
  if (file !== undefined) return () => readPassphraseFile(file);
  return askedOnce(async (image) => {
    if (!process.stdin.isTTY) throw new PassphraseError(`${image} is an encrypted image (gocryptfs) and there is no terminal to ask its passphrase on`, 'give the file that holds it with --passphrase-file FILE');
    return readHidden(`Passphrase of the encrypted image ${image} (not shown): `, signal);
  });
}

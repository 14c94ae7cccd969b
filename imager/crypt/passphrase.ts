// Passphrases of encrypted images: how a job asks for one (a source the face provides: a prompt, a file), and the
// rules every passphrase meets, whatever it came from.
import { readFile } from 'node:fs/promises';
import { NotFoundError, UsageError } from '../../core/errors.js';

/** Gives the passphrase of the image named (in the user's words); called only when the image is encrypted. */
export type PassphraseSource = (image: string) => Promise<string>;

/** A passphrase as gocryptfs takes it on stdin: one line, not empty. */
export function checkedPassphrase(p: string, from: string): string {
  if (p.length === 0) throw new UsageError(`the passphrase ${from} is empty`, 'an encrypted image needs a passphrase of at least one character');
  if (/[\n\r\0]/.test(p)) throw new UsageError(`the passphrase ${from} has a line break or NUL in it`, 'a passphrase is one line');
  return p;
}

/** The passphrase in a file: its first line, without the line break (as gocryptfs -passfile reads it). */
export async function readPassphraseFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new NotFoundError(`the passphrase file ${file} does not exist or cannot be read`, 'give a file whose first line is the passphrase');
  }
  return checkedPassphrase(text.split(/\r?\n/)[0] ?? '', `in ${file}`);
}

/** The source asked once per image: a restore plans and then runs, and the person types it once. */
export function askedOnce(source: PassphraseSource): PassphraseSource {
  const known = new Map<string, Promise<string>>();
  return (image) => {
    let p = known.get(image);
    if (!p) {
      p = source(image);
      known.set(image, p);
      p.catch(() => known.delete(image));
    }
    return p;
  };
}

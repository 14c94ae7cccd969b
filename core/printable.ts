// Text found in input (a file, a name, a manifest field) made safe to show: control and invisible characters as escapes, long text cut.

/** Characters a terminal would act on or not draw: C0/C1 controls, DEL, format (bidi, zero-width), unassigned, private use, line separators. */
const hidden = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/gu;

const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(ch: string): string {
  const known = named[ch];
  if (known) return known;
  const code = ch.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

export interface PrintableOptions {
  /** At most this many characters of the input are shown, then "..." (default 200). */
  max?: number;
  /** Keep line breaks (for a message of several lines); every other control character is still escaped. */
  keepNewlines?: boolean;
}

/** `text` with every control or invisible character written as an escape (NUL as \x00) and cut to `max` characters. */
export function printable(text: string, opts: PrintableOptions = {}): string {
  const max = opts.max ?? 200;
  const chars = [...text];
  const cut = chars.length > max;
  const shown = (cut ? chars.slice(0, max) : chars).join('');
  const safe = shown.replace(hidden, (ch) => (opts.keepNewlines && ch === '\n' ? ch : escape(ch)));
  return cut ? `${safe}...` : safe;
}

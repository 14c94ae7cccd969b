// Quoting found text: control bytes become escapes, long text is cut, printable text is left as it is.
import test from 'ava';
import { printable } from '../../core/printable.js';

test('control bytes and invisible characters are shown as escapes', (t) => {
  t.is(printable('a\x00b\x1b[31mc\x7fd\x9b'), 'a\\x00b\\x1b[31mc\\x7fd\\x9b');
  t.is(printable('line\nnext\ttab\r'), 'line\\nnext\\ttab\\r');
  t.is(printable('evil\u202egnp.exe zero\u200bwidth'), 'evil\\u{202e}gnp.exe zero\\u{200b}width');
  t.is(printable('\ufffd\ud800'), '\ufffd\\u{d800}', 'a replacement character is printable; a lone surrogate is not');
});

test('printable text, including non-ASCII letters, is unchanged', (t) => {
  t.is(printable('Größe: 1.0 GiB — sda2 «root» 日本'), 'Größe: 1.0 GiB — sda2 «root» 日本');
});

test('long input is cut, by characters, not in the middle of one', (t) => {
  t.is(printable('x'.repeat(300)), `${'x'.repeat(200)}...`);
  t.is(printable('é'.repeat(10), { max: 4 }), 'éééé...');
  t.is(printable('\x00'.repeat(5), { max: 2 }), '\\x00\\x00...');
});

test('keepNewlines keeps line breaks and escapes the rest', (t) => {
  t.is(printable('a\nb\x00', { keepNewlines: true }), 'a\nb\\x00');
});

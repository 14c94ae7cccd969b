// What the terminal can show: Unicode or only ASCII (the Linux console without a Unicode font, serial consoles,
// non-UTF-8 locales), and colour or not (NO_COLOR, TERM=dumb). Decided once from the environment.

export interface Capabilities {
  ascii: boolean;
  color: boolean;
}

/** LIFEBOAT_ASCII=1 forces ASCII and =0 Unicode; otherwise ASCII on TERM=linux/vt*, dumb, or a locale without UTF-8. */
export function detectCapabilities(env: NodeJS.ProcessEnv = process.env): Capabilities {
  const term = env['TERM'] ?? '';
  const locale = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  const forced = env['LIFEBOAT_ASCII'];
  const ascii = forced === '1' ? true : forced === '0' ? false : term === 'linux' || term.startsWith('vt') || term === 'dumb' || !/utf-?8/i.test(locale);
  const color = env['NO_COLOR'] === undefined || env['NO_COLOR'] === '' ? term !== 'dumb' : false;
  return { ascii, color };
}

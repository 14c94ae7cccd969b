// The terminal is never left broken: capabilities from the environment (ASCII fallback, NO_COLOR), and the
// life-cycle module's give-back on a crash, on SIGTERM and on a normal exit, seen through a real pty (node-pty).
import test from 'ava';
import * as pty from 'node-pty';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectCapabilities } from '../../rescue-ui/terminal/capabilities.js';
import { openTerminal, sequences } from '../../rescue-ui/terminal/lifecycle.js';
import { themeFor } from '../../rescue-ui/terminal/theme.js';
import { lifeboatBin } from '../helpers/cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));

test('ASCII on the Linux console, serial terminals, dumb terminals and non-UTF-8 locales; LIFEBOAT_ASCII decides when set', (t) => {
  t.true(detectCapabilities({ TERM: 'linux', LANG: 'C.UTF-8' }).ascii);
  t.true(detectCapabilities({ TERM: 'vt220', LANG: 'en_US.UTF-8' }).ascii);
  t.true(detectCapabilities({ TERM: 'xterm-256color', LANG: 'C' }).ascii);
  t.true(detectCapabilities({ TERM: 'xterm-256color' }).ascii, 'no locale at all');
  t.false(detectCapabilities({ TERM: 'xterm-256color', LANG: 'en_GB.UTF-8' }).ascii);
  t.false(detectCapabilities({ TERM: 'screen', LC_ALL: 'C.utf8', LANG: 'C' }).ascii, 'LC_ALL wins over LANG');
  t.true(detectCapabilities({ TERM: 'xterm', LANG: 'C.UTF-8', LIFEBOAT_ASCII: '1' }).ascii);
  t.false(detectCapabilities({ TERM: 'linux', LIFEBOAT_ASCII: '0' }).ascii);
});

test('NO_COLOR (any non-empty value) and TERM=dumb turn colour off', (t) => {
  t.true(detectCapabilities({ TERM: 'xterm' }).color);
  t.false(detectCapabilities({ TERM: 'xterm', NO_COLOR: '1' }).color);
  t.true(detectCapabilities({ TERM: 'xterm', NO_COLOR: '' }).color);
  t.false(detectCapabilities({ TERM: 'dumb' }).color);
});

test('take and release write the sequences once each, release restores cooked mode, both are idempotent', (t) => {
  let out = '';
  let raw = true;
  const term = openTerminal({ stdout: { isTTY: true, write: (s: string) => (out += s) }, stdin: { isTTY: true, get isRaw() { return raw; }, setRawMode: (r: boolean) => (raw = r) } });
  term.take();
  term.take();
  t.is(out, sequences.enterAltScreen + sequences.hideCursor + sequences.clear);
  out = '';
  term.release();
  term.release();
  t.is(out, sequences.reset + sequences.showCursor + sequences.leaveAltScreen);
  t.false(raw);
  term.dispose();
});

test('nothing is written when stdout is not a terminal', (t) => {
  let out = '';
  const term = openTerminal({ stdout: { isTTY: false, write: (s: string) => (out += s) }, stdin: {} });
  term.take();
  term.release();
  t.is(out, '');
  term.dispose();
});

/** Runs the fixture under a real pty; returns what it printed, its exit code, and the pty's raw mode afterwards. */
function runFixture(how: string, after?: (p: pty.IPty) => void): Promise<{ output: string; exitCode: number }> {
  return new Promise((resolve) => {
    const p = pty.spawn(process.execPath, ['--import=tsx', path.join(here, 'fixtures/terminal-crash.ts'), how], { name: 'xterm', cols: 80, rows: 25, cwd: path.join(here, '../..'), env: { ...process.env } as Record<string, string> });
    let output = '';
    p.onData((d) => {
      output += d;
      if (after && output.includes('TAKEN')) {
        const f = after;
        after = undefined;
        f(p);
      }
    });
    p.onExit((e) => resolve({ output, exitCode: e.exitCode }));
  });
}

/** The give-back comes after the take: the cursor shown and the main screen back, as the last thing written. */
function gaveBack(t: { true(v: boolean, m?: string): void }, output: string) {
  const taken = output.indexOf(sequences.enterAltScreen);
  const back = output.lastIndexOf(sequences.showCursor + sequences.leaveAltScreen);
  t.true(taken >= 0, 'the terminal was taken');
  t.true(back > taken, 'and given back afterwards');
}

test('a crash (an exception nobody caught) gives the terminal back and says what happened', async (t) => {
  const r = await runFixture('throw');
  gaveBack(t, r.output);
  t.regex(r.output, /lifeboat ui: Error: boom: a bug in a screen/);
  t.is(r.exitCode, 70);
});

test('SIGTERM gives the terminal back, runs the clean-up (jobs stopped, stores unmounted) and exits 143', async (t) => {
  const r = await runFixture('wait', (p) => p.kill('SIGTERM'));
  gaveBack(t, r.output);
  t.regex(r.output, /CLEANUP-RAN/);
  t.is(r.exitCode, 143);
});

test('a normal release restores cooked mode (raw off) and can be called twice', async (t) => {
  const r = await runFixture('release');
  t.regex(r.output, /TAKEN raw=true/);
  t.regex(r.output, /RELEASED raw=false/);
  gaveBack(t, r.output);
  t.is(r.exitCode, 0);
});

test('without colour the theme names no colours (the screens then rely on markers and words); ASCII draws with ASCII', (t) => {
  const plain = themeFor({ ascii: true, color: false });
  t.deepEqual([plain.accent, plain.danger, plain.good, plain.dim], [undefined, undefined, undefined, false]);
  t.deepEqual([plain.border, plain.pointer, plain.barFull, plain.barEmpty], ['classic', '>', '#', '.']);
  t.is(themeFor({ ascii: false, color: true }).accent, 'cyan');
});

test('CI=true in the environment (a terminal opened from a CI job or a build script) still draws the menu; q quits', async (t) => {
  // Ink draws nothing until exit when it thinks it runs in CI; the UI clears CI before Ink loads. Without that, a
  // tmux session started from a CI job showed a blank screen (found by the CI run of the real-terminal test).
  const env = { ...process.env, CI: 'true', CONTINUOUS_INTEGRATION: '1', TERM: 'xterm-256color', LANG: 'C.UTF-8' } as Record<string, string>;
  const p = pty.spawn(process.execPath, [lifeboatBin, 'ui', '--disk', '/dev/lifeboat-no-such-disk'], { name: 'xterm-256color', cols: 80, rows: 25, env });
  let output = '';
  const exited = new Promise<number>((resolve) => p.onExit((e) => resolve(e.exitCode)));
  const drawn = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 60_000);
    p.onData((d) => {
      output += d;
      if (/Power off/.test(output)) {
        clearTimeout(timer);
        resolve(true);
      }
    });
  });
  const menu = await drawn;
  if (menu) p.write('q');
  else p.kill('SIGTERM');
  const code = await exited;
  t.true(menu, `the main menu was drawn while the UI ran; it printed: ${JSON.stringify(output.slice(0, 400))}`);
  t.is(code, 0);
});

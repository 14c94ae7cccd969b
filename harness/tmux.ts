// A real terminal for the rescue UI: a tmux server of the caller's own (its own socket), an 80x25 session running
// a command, keys sent by name, the screen read back with capture-pane, and a list entry chosen by moving the
// selection until it rests on a line that matches. Used by the real-terminal test and the benchmark's ui section.
import { execa } from 'execa';
import { rm } from 'node:fs/promises';

export interface TmuxSession {
  capture(): Promise<string>;
  keys(...names: string[]): Promise<void>;
  /** Types text literally (no key names). */
  type(text: string): Promise<void>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Moves the selection (the line with the pointer) from the top down until it rests on a match, then presses Enter. */
  choose(pattern: RegExp, pointer?: string): Promise<void>;
  /** The pid of the pane's process (the shell that runs the command). */
  panePid(): Promise<number>;
  kill(): Promise<void>;
}

export interface TmuxOptions {
  size?: { cols: number; rows: number };
  /** Names the tmux socket (`<prefix>-<pid>-<time>`). */
  socketPrefix?: string;
  /** Once aborted, waitFor and choose throw instead of waiting on. */
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startTmux(command: string, env: Record<string, string>, options: TmuxOptions = {}): Promise<TmuxSession> {
  const { size = { cols: 80, rows: 25 }, socketPrefix = 'lifeboat-test', signal } = options;
  const socket = `${socketPrefix}-${process.pid}-${Date.now()}`;
  const stopped = () => {
    if (signal?.aborted) throw new Error('interrupted');
  };
  const session = 'ui';
  const tmux = (args: string[]) => execa('tmux', ['-L', socket, ...args]);
  await tmux(['-f', '/dev/null', 'new-session', '-d', '-s', session, '-x', String(size.cols), '-y', String(size.rows), ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), command]);
  const capture = async () => (await tmux(['capture-pane', '-p', '-t', session])).stdout;
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs;
    let screen = '';
    for (;;) {
      stopped();
      screen = await capture();
      if (pattern.test(screen)) {
        await sleep(200); // the screen is drawn; let it start listening for keys
        return screen;
      }
      if (Date.now() > end) throw new Error(`the screen did not show ${String(pattern)} within ${timeoutMs / 1000} s; it shows:\n${screen}`);
      await sleep(250);
    }
  };
  return {
    capture,
    waitFor,
    async keys(...names) {
      for (const n of names) {
        await tmux(['send-keys', '-t', session, n]);
        await sleep(n === 'Escape' ? 250 : 80);
      }
    },
    async type(text) {
      await tmux(['send-keys', '-t', session, '-l', text]);
      await sleep(100);
    },
    async choose(pattern, pointer = '›') {
      const selectedOf = (screen: string) => screen.split('\n').find((l) => l.includes(`${pointer} `) && /[│|] [›>] /.test(l));
      // A key's effect is waited for (the screen changes) instead of assumed after a fixed pause: on a busy host the
      // UI may take longer to draw than any pause, and a stale screen read as "the end of the list" loops forever.
      const press = async (key: string, before: string, patienceMs: number) => {
        await tmux(['send-keys', '-t', session, key]);
        const end = Date.now() + patienceMs;
        for (;;) {
          await sleep(50);
          const now = await capture();
          if (now !== before || Date.now() > end) return now;
        }
      };
      const enter = async () => {
        await tmux(['send-keys', '-t', session, 'Enter']);
        await sleep(150);
      };
      let screen = await capture();
      if (pattern.test(selectedOf(screen) ?? '\0')) return enter();
      screen = await press('Home', screen, 800); // no change when the selection is already at the top
      for (let i = 0; i < 60; i++) {
        stopped();
        if (pattern.test(selectedOf(screen) ?? '\0')) return enter();
        const next = await press('Down', screen, 3000);
        if (next === screen) break; // nothing moved for 3 s: the end of the list
        screen = next;
      }
      throw new Error(`no list entry matching ${String(pattern)}; the screen:\n${await capture()}`);
    },
    async panePid() {
      return Number((await tmux(['display-message', '-p', '-t', session, '#{pane_pid}'])).stdout.trim());
    },
    async kill() {
      // kill-server leaves the socket file behind: note its path first, then remove it.
      const socketPath = (await tmux(['display-message', '-p', '#{socket_path}']).catch(() => undefined))?.stdout.trim();
      await tmux(['kill-server']).catch(() => undefined);
      if (socketPath) await rm(socketPath, { force: true });
    },
  };
}

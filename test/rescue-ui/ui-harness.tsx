// Test helper: renders the whole App over a fake backend in ink-testing-library, with keys by name and a wait for
// a frame that shows some text.
import { render } from 'ink-testing-library';
import { App, type AppExit } from '../../rescue-ui/app.js';
import { themeFor } from '../../rescue-ui/terminal/theme.js';
import type { FakeBackend } from './fake-backend.js';

export const keys = { up: '\u001B[A', down: '\u001B[B', enter: '\r', esc: '\u001B', ctrlC: '\u0003', backspace: '\u007F' } as const;

export interface Harness {
  frame(): string;
  /** Every frame drawn so far, oldest first (to catch what was drawn only for a moment). */
  frames(): string[];
  /** The frame's words in one line: borders gone, wrapped lines joined (for messages longer than a row). */
  text(): string;
  press(...k: string[]): Promise<void>;
  type(text: string): Promise<void>;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  exits: AppExit[];
  unmount(): void;
}

/** A frame's text without the box drawing, its lines joined by spaces. */
export function flatten(frame: string): string {
  return frame
    .split('\n')
    .map((l) => l.replace(/^[|│]\s?/, '').replace(/\s?[|│]\s*$/, '').trim())
    .filter((l) => !/^[+╭╰][-─+╮╯]*$/.test(l))
    .join(' ')
    .replace(/\s+/g, ' ');
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

export function renderApp(backend: FakeBackend, opts: { ascii?: boolean; color?: boolean } = {}): Harness {
  const exits: AppExit[] = [];
  const theme = themeFor({ ascii: opts.ascii ?? true, color: opts.color ?? false });
  const r = render(<App backend={backend} theme={theme} onExit={(w) => exits.push(w)} now={new Date(2026, 10, 26, 14, 5)} />);
  const frame = () => r.lastFrame() ?? '';
  /**
   * Until no new frame has been drawn for 100 ms (at most 3 s): on a loaded machine Ink draws the keys' effect later
   * than the fixed ticks above, and a frame read at once would be an intermediate one.
   */
  const settled = async () => {
    const end = Date.now() + 3000;
    let count = r.frames.length;
    let quietSince = Date.now();
    while (Date.now() < end && Date.now() - quietSince < 100) {
      await tick(20);
      if (r.frames.length !== count) {
        count = r.frames.length;
        quietSince = Date.now();
      }
    }
  };
  return {
    frame,
    frames: () => [...r.frames],
    text: () => flatten(frame()),
    exits,
    async press(...k) {
      await tick();
      for (const key of k) {
        r.stdin.write(key);
        // a lone Esc waits for Ink's escape-sequence timeout before it counts
        await tick(key === keys.esc ? 120 : 30);
      }
      await settled();
    },
    async type(text) {
      await tick();
      r.stdin.write(text);
      await tick();
    },
    async waitFor(text, timeoutMs = 3000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const f = frame();
        if (typeof text === 'string' ? f.includes(text) : text.test(f)) {
          await tick(60); // drawn; let the new screen's key handlers subscribe (they do so in an effect)
          return frame();
        }
        if (Date.now() > end) throw new Error(`no frame with ${String(text)} within ${timeoutMs} ms; last frame:\n${f}`);
        await tick(20);
      }
    },
    unmount: () => r.unmount(),
  };
}

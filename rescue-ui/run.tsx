// Runs the rescue UI in this terminal: the real backend over one Runner, the terminal taken and always given back,
// and the Shell entry, which hands the terminal to a shell and comes back to the menu.
// First, before Ink loads: the UI is interactive even when the environment says CI (see the module).
import './terminal/interactive.js';
import { spawnSync } from 'node:child_process';
import { render, renderToString } from 'ink';
import { Runner } from '../core/runner/run.js';
import { App, type AppExit } from './app.js';
import { imagerBackend } from './backend/imager-backend.js';
import type { Backend } from './backend/port.js';
import { detectCapabilities } from './terminal/capabilities.js';
import { openTerminal } from './terminal/lifecycle.js';
import { themeFor } from './terminal/theme.js';

export interface RescueUiOptions {
  /** Only these disks (e.g. /dev/loop3) appear; all when empty. */
  onlyDisks?: string[];
  backend?: Backend;
}

/** The main menu as text, once, without taking the terminal (`lifeboat ui --snapshot`: checks the bundle loads). */
export function snapshot(): string {
  const noop = async () => [];
  const backend = { listDisks: noop, findImages: noop, log: () => [], onLog: () => () => undefined } as unknown as Backend;
  return renderToString(<App backend={backend} theme={themeFor(detectCapabilities())} onExit={() => undefined} />, { columns: 80 });
}

/**
 * The shell of the Shell entry. It needs the terminal itself (stdio inherited) and runs for as long as the person
 * wants, so it is spawned here and not through the Runner (which logs commands and captures their output).
 */
async function handOverToShell(): Promise<void> {
  const shell = process.env['SHELL'] || '/bin/bash';
  process.stdout.write('Lifeboat: a shell. Type exit to return to the menu.\n');
  // Ctrl-C in the shell reaches this process too (same process group, cooked mode): it must not end the UI.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  try {
    spawnSync(shell, [], { stdio: 'inherit', env: { ...process.env, LIFEBOAT_STARTED: '1' } });
  } finally {
    // A SIGINT caught during the shell is delivered after spawnSync returns: keep ignoring it until then.
    await new Promise((r) => setTimeout(r, 50));
    process.off('SIGINT', ignore);
  }
}

export async function runRescueUi(opts: RescueUiOptions = {}): Promise<number> {
  const runner = new Runner();
  const backend = opts.backend ?? imagerBackend(runner, { ...(opts.onlyDisks ? { onlyDisks: opts.onlyDisks } : {}) });
  const theme = themeFor(detectCapabilities());
  const term = openTerminal(undefined, async () => {
    // On SIGTERM/SIGHUP/SIGQUIT: stop the jobs and wait for their clean-up (a backup removes its partial image) and
    // the unmounts, but not forever: a clean-up stuck on a dead disk must not keep the process from ending.
    await Promise.race([backend.close(), new Promise((r) => setTimeout(r, 30_000).unref())]);
    runner.killAll();
  });
  try {
    for (;;) {
      const ended: { why: AppExit } = { why: 'quit' };
      term.take();
      const ink = render(<App backend={backend} theme={theme} onExit={(w) => (ended.why = w)} />, { exitOnCtrlC: false, patchConsole: false });
      await ink.waitUntilExit();
      term.release();
      if (ended.why !== 'shell') break;
      await handOverToShell();
    }
    return 0;
  } finally {
    term.release();
    await backend.close();
    term.dispose();
  }
}

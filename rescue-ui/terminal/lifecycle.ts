// The terminal's life cycle in one place: take it (alternate screen, cursor hidden) and give it back (attributes
// reset, cursor shown, main screen, cooked mode). Giving back is idempotent and also runs on exit, on SIGTERM, SIGHUP
// and SIGQUIT, and on a crash, so the console is never left broken. A terminal that is gone (a hang-up: writes and
// reads fail with EIO) is a hang-up too: the clean-up still runs, with nothing drawn.

export const sequences = {
  enterAltScreen: '\x1b[?1049h',
  leaveAltScreen: '\x1b[?1049l',
  hideCursor: '\x1b[?25l',
  showCursor: '\x1b[?25h',
  clear: '\x1b[2J\x1b[H',
  reset: '\x1b[0m',
} as const;

export interface TerminalSession {
  /** Takes the terminal for the UI (again, after a shell). */
  take(): void;
  /** Gives the terminal back; safe to call any number of times. */
  release(): void;
  /** Removes the exit and signal handlers (after the last release). */
  dispose(): void;
}

type ErrorEvents = { on?(event: 'error', fn: (e: Error) => void): unknown; off?(event: 'error', fn: (e: Error) => void): unknown };

export interface TerminalStreams {
  stdout: { isTTY?: boolean; write(s: string): unknown } & ErrorEvents;
  stdin: { isTTY?: boolean; isRaw?: boolean; setRawMode?: (raw: boolean) => unknown } & ErrorEvents;
}

/**
 * Opens the terminal session. onSignal runs after the terminal was given back on a signal (to stop jobs and unmount);
 * then the process exits with 128 + the signal's number.
 */
export function openTerminal(streams: TerminalStreams = { stdout: process.stdout, stdin: process.stdin }, onSignal: (signal: NodeJS.Signals) => Promise<void> = async () => {}): TerminalSession {
  const { stdout, stdin } = streams;
  const tty = stdout.isTTY === true;
  let taken = false;
  const take = () => {
    if (taken || !tty) return;
    taken = true;
    stdout.write(sequences.enterAltScreen + sequences.hideCursor + sequences.clear);
  };
  const release = () => {
    if (!taken) return;
    taken = false;
    if (stdin.isTTY && stdin.isRaw) stdin.setRawMode?.(false);
    stdout.write(sequences.reset + sequences.showCursor + sequences.leaveAltScreen);
  };
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGQUIT: 3, SIGTERM: 15 };
  // Once a signal came, its clean-up runs to the end and then ends the process; nothing else may end it sooner.
  let ending = false;
  const onSignalRaw = (signal: NodeJS.Signals) => {
    if (ending) return;
    ending = true;
    try {
      release();
    } catch {
      // the terminal is gone: nothing to give back
    }
    void onSignal(signal).finally(() => process.exit(128 + (numbers[signal] ?? 0)));
  };
  // The terminal is gone (EIO after a hang-up, EPIPE): without a listener the stream's error would crash the process
  // before the clean-up; it is handled as the hang-up it is.
  const onStreamError = () => onSignalRaw('SIGHUP');
  const onCrash = (error: unknown) => {
    // During a signal's clean-up an error (most likely the dead terminal's) must not cut it short; and nothing is
    // written, since writing may be what fails.
    if (ending) return;
    release();
    process.stderr.write(`lifeboat ui: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(70);
  };
  process.on('exit', release);
  stdout.on?.('error', onStreamError);
  stdin.on?.('error', onStreamError);
  for (const s of Object.keys(numbers) as NodeJS.Signals[]) process.on(s, onSignalRaw);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  return {
    take,
    release,
    dispose() {
      process.off('exit', release);
      stdout.off?.('error', onStreamError);
      stdin.off?.('error', onStreamError);
      for (const s of Object.keys(numbers) as NodeJS.Signals[]) process.off(s, onSignalRaw);
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    },
  };
}

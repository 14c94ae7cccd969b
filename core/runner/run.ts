// The one runner for every external command: argv arrays only, each command logged, failures turned into CommandError.
import { execa, type Options, type ResultPromise } from 'execa';
import * as pty from 'node-pty';
import { CommandError } from '../errors.js';
import { debianPackageFor } from './packages.js';

export interface CommandLogEntry {
  command: string;
  startedAt: string;
  durationMs: number;
  exitCode: number | undefined;
  signal: string | undefined;
  ok: boolean;
}

export type LogSink = (entry: CommandLogEntry) => void;

export interface RunOptions {
  /** Data for standard input, a file descriptor, or 'ignore'. */
  input?: string | Buffer;
  stdin?: number | 'ignore' | 'pipe';
  stdout?: number | 'pipe' | 'ignore';
  /** Exit codes that count as success besides 0. */
  okExitCodes?: number[];
  env?: Record<string, string>;
  /** false: the command gets only `env`, nothing of this process's environment (default true: env is added to it). */
  extendEnv?: boolean;
  /** Working directory (default: this process's). */
  cwd?: string;
  /** Called with each line the command writes to stderr (stdout too in pty mode). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  hint?: string;
  /** Keep stdout in memory for the result (default); false when the caller streams child.stdout itself. */
  collectStdout?: boolean;
}

export interface RunResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Quote argv for the log the way a shell would need it, so a logged line can be pasted. */
export function formatCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

function tail(text: string, max = 4000): string {
  return text.length > max ? text.slice(-max) : text;
}

function missingHint(file: string): string {
  const pkg = debianPackageFor(file);
  return pkg ? `install the Debian package '${pkg}' (scripts/setup does it)` : `install '${file}'`;
}

/** Splits a stream of text into lines at \n or \r (partclone redraws its progress line with \r). */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = '';
  return {
    push(chunk: string) {
      rest += chunk;
      const parts = rest.split(/\r\n|\r|\n/);
      rest = parts.pop() ?? '';
      for (const p of parts) if (p.length > 0) onLine(p);
    },
    end() {
      if (rest.length > 0) onLine(rest);
      rest = '';
    },
  };
}

export class Runner {
  private readonly sinks: LogSink[] = [];
  private readonly live = new Set<{ kill(signal?: string): void }>();

  constructor(sink?: LogSink) {
    if (sink) this.sinks.push(sink);
    const envLog = process.env['LIFEBOAT_TRACE'];
    if (envLog === '1') this.sinks.push((e) => process.stderr.write(`[lifeboat] ${e.command} -> ${e.ok ? 'ok' : `failed (${e.exitCode ?? e.signal})`} ${e.durationMs} ms\n`));
  }

  /** Adds a log sink; returns the function that removes it again. */
  addSink(sink: LogSink): () => void {
    this.sinks.push(sink);
    return () => {
      const i = this.sinks.indexOf(sink);
      if (i >= 0) this.sinks.splice(i, 1);
    };
  }

  private log(entry: CommandLogEntry): void {
    for (const s of this.sinks) s(entry);
  }

  /** Kills every command still running (used on SIGINT/SIGTERM and when a pipeline fails). */
  killAll(signal = 'SIGTERM'): void {
    for (const c of this.live) c.kill(signal);
  }

  /** Runs a command to completion; throws CommandError unless it exits 0 (or an allowed code). */
  async run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const running = this.start(file, args, opts);
    return running.done;
  }

  /** Starts a command and returns at once: for pipelines whose ends are file descriptors. */
  start(file: string, args: readonly string[], opts: RunOptions = {}): { done: Promise<RunResult>; child: ResultPromise; command: string } {
    const command = formatCommand(file, args);
    const startedAt = new Date();
    const child = execa(file, [...args], {
      reject: false,
      stripFinalNewline: false,
      ...(opts.input !== undefined ? { input: opts.input } : { stdin: opts.stdin ?? 'ignore' }),
      stdout: opts.stdout ?? 'pipe',
      stderr: 'pipe',
      env: opts.env,
      ...(opts.extendEnv === false ? { extendEnv: false } : {}),
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      encoding: 'utf8',
      cancelSignal: opts.signal,
      buffer: { stdout: (opts.stdout === undefined || opts.stdout === 'pipe') && opts.collectStdout !== false, stderr: true },
    } as unknown as Options) as unknown as ResultPromise;
    const handle = { kill: (s?: string) => child.kill((s ?? 'SIGTERM') as NodeJS.Signals) };
    this.live.add(handle);
    if (opts.onLine) {
      const split = lineSplitter(opts.onLine);
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (d: string) => split.push(d));
      child.stderr?.on('end', () => split.end());
    }
    const done = (async (): Promise<RunResult> => {
      const r = await child;
      this.live.delete(handle);
      const durationMs = Date.now() - startedAt.getTime();
      const stdout = typeof r.stdout === 'string' ? r.stdout : '';
      const stderr = typeof r.stderr === 'string' ? r.stderr : '';
      const exitCode = r.exitCode;
      const signal = r.signal ?? undefined;
      const ok = !r.failed || (exitCode !== undefined && (opts.okExitCodes ?? []).includes(exitCode) && signal === undefined);
      this.log({ command, startedAt: startedAt.toISOString(), durationMs, exitCode, signal, ok });
      if (!ok) {
        const notFound = (r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String((r as { originalMessage?: string }).originalMessage ?? ''));
        throw new CommandError({
          command,
          exitCode,
          signal,
          stderrTail: notFound ? `command not found: ${file}` : tail(stderr),
          durationMs,
          hint: notFound ? missingHint(file) : opts.hint,
          cause: r,
        });
      }
      return { command, exitCode: exitCode ?? 0, stdout, stderr, durationMs };
    })();
    // Callers may attach their handler after an await (closing their ends of a pipe first); a command that fails
    // before then must not count as an unhandled rejection, which ends the process. Seen in CI: SIGTERM right as a
    // backup started zstd crashed the CLI instead of the clean exit 130. Awaiting `done` still throws.
    done.catch(() => undefined);
    return { done, child, command };
  }

  /**
   * Runs a command under a pseudo-terminal (node-pty), as partclone wants for its live progress;
   * every line it prints goes to onLine. The image data must travel through files or FIFOs, not stdio.
   */
  async pty(file: string, args: readonly string[], opts: { onLine?: (line: string) => void; signal?: AbortSignal; hint?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
    const command = formatCommand(file, args);
    const startedAt = Date.now();
    let output = '';
    let term: pty.IPty;
    try {
      term = pty.spawn(file, [...args], {
        name: 'dumb',
        cols: 160,
        rows: 40,
        cwd: process.cwd(),
        env: { ...(process.env as Record<string, string>), TERM: 'dumb', LC_ALL: 'C', ...(opts.env ?? {}) },
      });
    } catch (cause) {
      const durationMs = Date.now() - startedAt;
      this.log({ command, startedAt: new Date(startedAt).toISOString(), durationMs, exitCode: undefined, signal: undefined, ok: false });
      throw new CommandError({ command, stderrTail: `command not found: ${file}`, durationMs, hint: missingHint(file), cause });
    }
    const handle = { kill: (s?: string) => term.kill(s ?? 'SIGTERM') };
    this.live.add(handle);
    const split = lineSplitter((l) => opts.onLine?.(l));
    const onAbort = () => term.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const { exitCode, signal } = await new Promise<{ exitCode: number; signal: number | undefined }>((resolve) => {
      term.onData((d) => {
        output = tail(output + d, 64_000);
        split.push(d);
      });
      term.onExit((e) => resolve({ exitCode: e.exitCode, signal: e.signal || undefined }));
    });
    split.end();
    opts.signal?.removeEventListener('abort', onAbort);
    this.live.delete(handle);
    const durationMs = Date.now() - startedAt;
    const ok = exitCode === 0 && signal === undefined;
    const signalName = signal === undefined ? undefined : `signal ${signal}`;
    this.log({ command, startedAt: new Date(startedAt).toISOString(), durationMs, exitCode, signal: signalName, ok });
    if (!ok) {
      const missing = /execvp\(3\) failed|No such file or directory/.test(output) && exitCode !== 0 && output.length < 300;
      throw new CommandError({
        command,
        exitCode,
        signal: signalName,
        stderrTail: tail(output),
        durationMs,
        hint: missing ? missingHint(file) : opts.hint,
      });
    }
    return { command, exitCode, stdout: output, stderr: '', durationMs };
  }
}

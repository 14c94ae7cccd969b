// A job's log on its store (lifeboat-<job>-<time>.log at the store's root): what ran, every command, the outcome or
// the refusal, so a person who finds a machine powered off can tell what happened. The unattended runner writes one
// for every job; the store is opened again for writing just for it, after the job released it.
import type { CommandLogEntry, Runner } from '../../core/runner/run.js';
import type { ImagerEvent } from '../events.js';
import { withStore } from '../store/open.js';
import type { StoreRef } from '../store/store.js';
import { fileStamp } from './naming.js';

/** Collects a job's lines: its steps and every command the Runner ran meanwhile. */
export class JobLog {
  readonly lines: string[] = [];
  private readonly stop: () => void;
  constructor(runner: Runner, readonly job: string, readonly started: Date = new Date()) {
    this.stop = runner.addSink((e: CommandLogEntry) => this.add(`${e.command} -> ${e.ok ? 'ok' : `failed (${e.exitCode ?? e.signal})`} ${e.durationMs} ms`));
  }

  add(line: string): void {
    this.lines.push(`${new Date().toISOString()} ${line}`);
  }

  /** The step events of a job (progress ticks are left out). */
  event(e: ImagerEvent): void {
    if (e.type === 'step') this.add(e.message);
    if (e.type === 'warning') this.add(`warning: ${e.message}`);
    if (e.type === 'partition-done') this.add(`${e.partition}: ${e.bytes} bytes in ${e.seconds.toFixed(1)} s`);
  }

  /** The log file's name. */
  fileName(): string {
    return `lifeboat-${this.job}-${fileStamp(this.started)}.log`;
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }

  /** Stops collecting and writes the log at the store's root; returns the file's name. */
  async writeTo(runner: Runner, store: StoreRef): Promise<string> {
    this.stop();
    const name = this.fileName();
    await withStore(runner, store, 'write', (s) => s.writeRootFile(name, this.text()));
    return name;
  }
}

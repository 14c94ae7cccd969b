// What every command shares: one runner, the output style, and an abort signal wired to SIGINT/SIGTERM.
import { Runner } from '../core/runner/run.js';
import { humanOutput, jsonOutput, type Output } from './output.js';

export interface CommandContext {
  runner: Runner;
  out: Output;
  json: boolean;
  signal: AbortSignal;
}

export function makeContext(json: boolean): CommandContext {
  const runner = new Runner();
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(130); // a second signal: leave now
    controller.abort();
    runner.killAll();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { runner, out: json ? jsonOutput() : humanOutput(), json, signal: controller.signal };
}

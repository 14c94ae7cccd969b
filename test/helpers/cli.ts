// Test helper: runs the built `lifeboat` command (dist/bundle/lifeboat.mjs) as a user would, and returns what it printed.
import { execa, type ResultPromise } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const lifeboatBin = path.join(repoRoot, 'dist/bundle/lifeboat.mjs');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function lifeboat(args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  const r = await execa('node', [lifeboatBin, ...args], {
    reject: false,
    input: opts.input ?? '',
    env: opts.env,
    timeout: opts.timeoutMs ?? 600_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/**
 * Resolves once a running lifeboat (an execa child with --json) has printed a line matching `pattern` (a condition,
 * not a delay); rejects if it ends first.
 */
export function untilPrinted(child: ResultPromise, pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let text = '';
    child[stream]!.on('data', (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) resolve();
    });
    void child.then(() => reject(new Error(`lifeboat ended before printing ${pattern}: ${text}`)));
  });
}

/** JSON Lines printed with --json. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

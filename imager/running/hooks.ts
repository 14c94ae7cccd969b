// A backup's --pre and --post commands: run by sh, each within its timeout, with the job's facts in the
// environment. The pre-hook runs before anything is written or frozen, so its failure leaves nothing behind; the
// post-hook runs once the last volume's data has been read (the snapshot point is over), also when the backup
// failed, so that whatever the pre-hook started (a database's backup mode, a paused service) is always ended.
import { CommandError, HookError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';

export type HookPhase = 'pre' | 'post';

export interface HookContext {
  /** The source disk and the image, in the job's words. */
  disk: string;
  image: string;
  /** post only: whether the volumes were read (false after a failure or a stop). */
  ok?: boolean;
}

/** Runs one hook; a failure or a time-out is a HookError that names the hook and its last line of output. */
export async function runHook(runner: Runner, phase: HookPhase, command: string, timeoutSeconds: number, ctx: HookContext, signal?: AbortSignal): Promise<void> {
  const env: Record<string, string> = { LIFEBOAT_HOOK: phase, LIFEBOAT_DISK: ctx.disk, LIFEBOAT_IMAGE: ctx.image };
  if (ctx.ok !== undefined) env['LIFEBOAT_OK'] = ctx.ok ? '1' : '0';
  try {
    // coreutils' timeout runs the hook in a process group of its own and signals the whole group at the time-out
    // (and on a stop), so what the hook started (sleep, psql) goes with it; SIGKILL 5 s later if it lingers.
    await runner.run('timeout', ['--kill-after=5', `${timeoutSeconds}s`, 'sh', '-c', command], { env, stdin: 'ignore', ...(signal ? { signal } : {}) });
  } catch (e) {
    if (signal?.aborted) throw e;
    const what = phase === 'pre' ? 'the --pre hook' : 'the --post hook';
    const after = phase === 'pre' ? 'nothing was written or frozen' : ctx.ok ? 'the volumes had been read' : 'the backup had already failed';
    const code = e instanceof CommandError ? e.exitCode : undefined;
    if (code === 124 || code === 137) throw new HookError(`${what} (${command}) did not finish within ${timeoutSeconds} s and was stopped; ${after}`, 'make it faster, or raise --hook-timeout', e);
    const err = e as CommandError;
    const last = err instanceof CommandError ? err.stderrTail.trim().split('\n').filter(Boolean).slice(-1)[0] : undefined;
    const how = err instanceof CommandError && err.exitCode !== undefined ? `exited with code ${err.exitCode}` : 'failed';
    throw new HookError(`${what} (${command}) ${how}${last ? `: ${last}` : ''}; ${after}`, 'run the hook by hand to see why', e);
  }
}

// The one driver: runs the recipe's steps in order, each skipped by its own config check or timed and reported.
import { InterruptedError } from '../core/errors.js';
import type { IsoConfig } from '../iso-config/config.js';
import type { BuildContext } from './context.js';

export interface Step {
  /** Verb and noun, as printed: "bootstrap root". */
  readonly name: string;
  /** Why this config needs nothing from the step, or undefined when it runs. */
  skip?(config: IsoConfig): string | undefined;
  /** Does the work; may return a short note printed with the stage's time ("reused cached root 1a2b3c4d"). */
  run(ctx: BuildContext): Promise<string | void>;
}

export interface StageTiming {
  stage: string;
  seconds: number;
  skipped: boolean;
}

/** Runs steps in order; stops at the first failure (reported as stage-failed, then rethrown). */
export async function runSteps(steps: readonly Step[], ctx: BuildContext, now: () => number = () => performance.now()): Promise<StageTiming[]> {
  const timings: StageTiming[] = [];
  const total = steps.length;
  for (const [i, step] of steps.entries()) {
    const index = i + 1;
    if (ctx.signal?.aborted) throw new InterruptedError(`interrupted before ${step.name}`);
    ctx.stage = step.name;
    const reason = step.skip?.(ctx.config);
    if (reason !== undefined) {
      ctx.emit({ type: 'stage-skipped', stage: step.name, index, total, reason });
      timings.push({ stage: step.name, seconds: 0, skipped: true });
      continue;
    }
    ctx.emit({ type: 'stage-start', stage: step.name, index, total });
    const started = now();
    try {
      const result = await step.run(ctx);
      const seconds = (now() - started) / 1000;
      ctx.emit({ type: 'stage-done', stage: step.name, index, total, seconds, ...(typeof result === 'string' ? { note: result } : {}) });
      timings.push({ stage: step.name, seconds, skipped: false });
    } catch (e) {
      const seconds = (now() - started) / 1000;
      ctx.emit({ type: 'stage-failed', stage: step.name, index, total, seconds, message: e instanceof Error ? e.message : String(e) });
      if (ctx.signal?.aborted) throw new InterruptedError(`interrupted during ${step.name}`);
      throw e;
    }
  }
  return timings;
}

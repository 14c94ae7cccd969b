// What every command that overwrites a disk or partition shares: --dry-run prints the plan (refused: the error),
// otherwise the job runs and asks with its plan: the name typed at a terminal, or --yes (the plan printed).
import type { Refusal } from '../imager/plan/refusals.js';
import { throwIfRefused } from '../imager/plan/refusals.js';
import { confirmByTyping } from './confirm.js';
import type { CommandContext } from './context.js';

export interface ConfirmedJob<P, R> {
  yes: boolean;
  dryRun: boolean;
  /** What is typed to confirm: the disk's name or the partition's. */
  what: 'disk' | 'partition';
  /** The plan only, changing nothing. */
  plan: () => Promise<P>;
  describe: (plan: P) => string[];
  /** The device that is overwritten (its name is typed). */
  device: (plan: P) => string;
  /** The job, with the confirm callback it asks before it writes and the words for a "no". */
  run: (confirm: (plan: P) => Promise<boolean>, notConfirmedHint: string) => Promise<R>;
  /** The result as JSON and as lines for people. */
  result: (r: R) => { json: unknown; lines: string[] };
}

export async function confirmedJob<P extends { refusals: readonly Refusal[] }, R>(ctx: CommandContext, job: ConfirmedJob<P, R>): Promise<void> {
  if (job.dryRun) {
    const plan = await job.plan();
    throwIfRefused(plan.refusals);
    const words = job.describe(plan);
    ctx.out.result({ plan: words }, words);
    return;
  }
  const r = await job.run(
    async (plan) => {
      const words = job.describe(plan);
      if (!job.yes) return confirmByTyping(job.device(plan), words, ctx.signal);
      if (!ctx.json) process.stderr.write(`${words.join('\n')}\n`);
      return true;
    },
    process.stdin.isTTY ? `type the ${job.what} name exactly` : 'no terminal to ask: pass --yes',
  );
  const { json, lines } = job.result(r);
  ctx.out.result(json, lines);
}

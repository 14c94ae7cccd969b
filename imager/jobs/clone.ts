// The clone job, disk to disk with no image in between: probe both disks -> plan (pure) -> confirm -> execute.
import { RefusedError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { executeClone, type CloneResult } from '../clone/execute.js';
import type { ClonePlan } from '../clone/plan.js';
import { prepareClone } from '../clone/prepare.js';
import type { EventSink } from '../events.js';
import { throwIfRefused } from '../plan/refusals.js';

export interface CloneJobRequest {
  /** The source disk as the user names it: only read. */
  source: string;
  /** The target disk: everything on it is overwritten. */
  target: string;
  grow: boolean;
  /** On a smaller target, shrink the partitions to fit their used data. */
  shrink?: boolean;
  /** Asked with the plan before anything is written: true goes on, false stops with nothing written. */
  confirm: (plan: ClonePlan) => Promise<boolean>;
  notConfirmedHint?: string;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

/** The plan only (--dry-run, the UI's summary): nothing changes on either disk; refusals stay in the plan. */
export function planCloneJob(runner: Runner, req: Pick<CloneJobRequest, 'source' | 'target' | 'grow' | 'shrink'>): Promise<ClonePlan> {
  return prepareClone(runner, req.source, req.target, { grow: req.grow, shrink: req.shrink ?? false }, { dryRun: true });
}

export async function cloneJob(runner: Runner, req: CloneJobRequest): Promise<CloneResult & { plan: ClonePlan }> {
  const plan = await prepareClone(runner, req.source, req.target, { grow: req.grow, shrink: req.shrink ?? false });
  throwIfRefused(plan.refusals);
  if (!(await req.confirm(plan))) throw new RefusedError(`not confirmed: nothing was written to ${plan.target.device}`, req.notConfirmedHint);
  const r = await executeClone(plan, runner, { confirmed: true, ...(req.onEvent ? { onEvent: req.onEvent } : {}), ...(req.signal ? { signal: req.signal } : {}) });
  return { ...r, plan };
}

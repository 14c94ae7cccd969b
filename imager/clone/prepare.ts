// Gathers the facts a clone plan needs (the source and the target disk, probed) and makes the plan.
import type { Runner } from '../../core/runner/run.js';
import { probeSource } from '../backup/prepare.js';
import { tempStagingSpaces } from '../restore/staging-space.js';
import { cloneRequiredBytes, planClone, type CloneOptions, type ClonePlan } from './plan.js';

/** With `dryRun` nothing changes: no partition node is added to the kernel, on either disk. */
export async function prepareClone(runner: Runner, sourceArg: string, targetArg: string, opts: CloneOptions, { dryRun = false }: { dryRun?: boolean } = {}): Promise<ClonePlan> {
  const { disk: source } = await probeSource(runner, sourceArg, dryRun);
  // The target's table is rewritten: its partition nodes are only looked at (for its mounts), never added.
  const { disk: target } = await probeSource(runner, targetArg, true);
  const staging = opts.shrink && target.sizeBytes < cloneRequiredBytes(source) ? await tempStagingSpaces() : undefined;
  return planClone({ source, target, ...(staging ? { staging } : {}) }, opts);
}

// Carries out a clone plan: the source held read-only, then table, boot records, each partition device to device
// (partclone -b, or a raw copy), swap, grow, and a read-only check of every copied filesystem.
import { InterruptedError, RefusedError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { readBytes, writeBytes } from '../boot/sectors.js';
import { replacePartitionNodes } from '../disks/kernel.js';
import { partitionPath } from '../disks/names.js';
import { ProgressTracker, type EventSink } from '../events.js';
import { holdReadOnly, letGo } from '../fs/mount.js';
import { fsRecord, fsRecords } from '../fs/registry.js';
import { sfdiskScript } from '../layout/sfdisk-script.js';
import { diskLockKey, takeJobLocks } from '../lock/job-lock.js';
import { partcloneLines } from '../pipeline/common.js';
import { throwIfRefused } from '../plan/refusals.js';
import { withStagingFile } from '../restore/shrink-partition.js';
import type { ClonePlan, CloneStep } from './plan.js';

export interface CloneResult {
  source: string;
  device: string;
  seconds: number;
  bytes: number;
  steps: string[];
}

export async function executeClone(plan: ClonePlan, runner: Runner, opts: { confirmed: boolean; onEvent?: EventSink; signal?: AbortSignal }): Promise<CloneResult> {
  throwIfRefused(plan.refusals);
  if (!opts.confirmed) throw new RefusedError(`cloning onto ${plan.target.device} was not confirmed`, 'pass --yes, or type the disk name when asked');
  const { source, target } = plan;
  // No other Lifeboat job may write either disk meanwhile (a restore onto the source, a backup of the target).
  const locks = await takeJobLocks(
    [
      { key: await diskLockKey(source.device), what: source.device },
      { key: await diskLockKey(target.device), what: target.device },
    ],
    `clone of ${source.device} onto ${target.device}`,
  );
  // The source is read-only for the job (the disk and each partition: blockdev --setro), put back after.
  const held: string[] = [];
  try {
    for (const dev of [source.device, ...source.partitions.filter((p) => !p.extended).map((p) => p.device)]) {
      await holdReadOnly(runner, dev);
      held.push(dev);
    }
    return await cloneHeld(plan, runner, opts.signal, opts.onEvent ?? (() => {}));
  } finally {
    for (const dev of held.reverse()) await letGo(runner, dev).catch(() => undefined);
    await locks.release();
  }
}

async function cloneHeld(plan: ClonePlan, runner: Runner, signal: AbortSignal | undefined, onEvent: EventSink): Promise<CloneResult> {
  const started = Date.now();
  const { source, target } = plan;
  const copies = plan.steps.filter((s): s is Extract<CloneStep, { kind: 'partition' | 'shrink' }> => s.kind === 'partition' || s.kind === 'shrink');
  const total = copies.reduce((n, s) => n + s.bytes, 0);
  const tracker = new ProgressTracker(total);
  const done: string[] = [];
  const stopped = () => new InterruptedError(`clone interrupted after: ${done.join('; ') || 'nothing'}; ${target.device} is incomplete (${source.device} was only read)`);
  onEvent({ type: 'start', job: 'clone', device: target.device, image: source.device, partitions: copies.length, totalBytes: total });
  try {
    for (const step of plan.steps) {
      if (signal?.aborted) throw stopped();
      onEvent({ type: 'step', job: 'clone', message: step.text });
      await cloneStep(step, { plan, runner, tracker, onEvent, ...(signal ? { signal } : {}) });
      done.push(step.text);
    }
  } catch (e) {
    // A stop kills the running tools: their failures are the stop's.
    if (signal?.aborted) throw stopped();
    throw e;
  }
  await runner.run('sync', []);
  const seconds = (Date.now() - started) / 1000;
  onEvent({ type: 'done', job: 'clone', image: source.device, device: target.device, seconds, bytes: total });
  return { source: source.device, device: target.device, seconds, bytes: total, steps: done };
}

interface StepContext {
  plan: ClonePlan;
  runner: Runner;
  tracker: ProgressTracker;
  onEvent: EventSink;
  signal?: AbortSignal;
}

async function cloneStep(step: CloneStep, ctx: StepContext): Promise<void> {
  const { plan, runner } = ctx;
  const { source, target } = plan;
  const sector = source.table?.sectorSize ?? 512;
  switch (step.kind) {
    case 'table': {
      const script = sfdiskScript(source.layout.table!, { device: target.device, partitionPath: (n) => partitionPath(target.device, n) }, step.policy);
      await runner.run('wipefs', ['--all', '--force', target.device]);
      await runner.run('sfdisk', ['--no-reread', '--no-tell-kernel', '--quiet', target.device], { input: script, hint: `the partition table of ${source.device} does not fit ${target.device}` });
      await replacePartitionNodes(runner, target.device);
      break;
    }
    case 'boot-code':
      await writeBytes(target.device, 0, await readBytes(source.device, 0, step.bytes));
      break;
    case 'hidden-data':
      await writeBytes(target.device, sector, await readBytes(source.device, sector, step.sectors * sector));
      break;
    case 'ebr':
      // Only the boot code: the EBR's partition entries (446..511) are the ones sfdisk just wrote.
      await writeBytes(target.device, step.offset, await readBytes(source.device, step.offset, 446));
      break;
    case 'partition':
    case 'shrink':
      await copyPartition(step, ctx);
      break;
    case 'swap':
      await fsRecords.swap.recreate!(runner, step.target, step.id);
      break;
    case 'grow': {
      const grower = step.fsType ? fsRecord(step.fsType).grow : undefined;
      if (grower) await grower(runner, step.target);
      break;
    }
    case 'check':
      await fsRecord(step.fsType).check!(runner, step.target);
      break;
  }
}

/**
 * One partition device to device under a pty (partclone's progress), weighted by its used bytes; a smaller one
 * through a staging file (its used blocks copied into it, the registry's shrink, then onto the target).
 */
async function copyPartition(step: Extract<CloneStep, { kind: 'partition' | 'shrink' }>, ctx: StepContext): Promise<void> {
  const t0 = Date.now();
  if (step.kind === 'shrink') {
    const shrinker = fsRecord(step.fsType).shrink;
    if (!shrinker) throw new Error(`no way to shrink ${step.fsType}`);
    await withStagingFile(step.stagingDir, step.oldBytes, async (staging) => {
      // -O: partclone refuses -o onto an existing regular file; the file is already as large as the partition.
      const [program, ...args] = step.handler.copy(step.source, staging).map((a) => (a === '-o' ? '-O' : a));
      await partcloneCopy(program!, args, step, ctx);
      await shrinker.shrink(ctx.runner, { staging, target: step.target, bytes: step.newBytes });
    });
  } else {
    const [program, ...args] = step.handler.copy(step.source, step.target);
    await partcloneCopy(program!, args, step, ctx);
    await fsRecord(step.fsType).finish?.(step.target);
  }
  ctx.tracker.finish(step.bytes);
  ctx.onEvent({ type: 'partition-done', job: 'clone', partition: step.name, bytes: step.bytes, seconds: (Date.now() - t0) / 1000 });
}

async function partcloneCopy(program: string, args: string[], step: Extract<CloneStep, { kind: 'partition' | 'shrink' }>, ctx: StepContext): Promise<void> {
  await ctx.runner.pty(program, args, {
    hint: `check ${step.source} with fsck, or free ${step.target}`,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onLine: partcloneLines((e) => {
      if (e.kind !== 'progress') return;
      const overall = ctx.tracker.overall(step.bytes, e.percent);
      ctx.onEvent({ type: 'progress', job: 'clone', partition: step.name, percent: e.percent, overallPercent: overall, bytesPerSecond: e.bytesPerMinute !== undefined ? e.bytesPerMinute / 60 : undefined, etaSeconds: ctx.tracker.eta(overall) });
    }),
  });
}

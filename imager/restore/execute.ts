// Carries out a restore plan: check the image, then table, boot records, partitions, swap, grow.
import { readFile } from 'node:fs/promises';
import { InterruptedError, RefusedError } from '../../core/errors.js';
import { readBytes, writeBytes } from '../boot/sectors.js';
import { replacePartitionNodes } from '../disks/kernel.js';
import { partitionPath } from '../disks/names.js';
import { sfdiskScript } from '../layout/sfdisk-script.js';
import { runPipeline } from '../pipeline/run.js';
import { createScheduler } from '../pipeline/scheduler.js';
import { composePipeline } from '../pipeline/stages.js';
import type { Runner } from '../../core/runner/run.js';
import { ProgressTracker, type EventSink } from '../events.js';
import { failOn, verifyChecksums } from '../verify/verify.js';
import { diskLockKey, takeJobLocks } from '../lock/job-lock.js';
import { throwIfRefused } from '../plan/refusals.js';
import { fsRecords, fsRecord } from '../fs/registry.js';
import type { RestorePlan } from './plan.js';
import { placementOf } from '../layout/shrink-plan.js';
import { restoreShrunk } from './shrink-partition.js';
import { runLvmStep } from '../lvm/restore.js';

export interface RestoreResult {
  device: string;
  image: string;
  seconds: number;
  bytes: number;
  steps: string[];
}

export async function executeRestore(plan: RestorePlan, runner: Runner, opts: { confirmed: boolean; onEvent?: EventSink; signal?: AbortSignal }): Promise<RestoreResult> {
  const onEvent = opts.onEvent ?? (() => {});
  throwIfRefused(plan.refusals);
  if (!opts.confirmed) throw new RefusedError(`restoring onto ${plan.target.device} was not confirmed`, 'pass --yes, or type the disk name when asked');
  // No other Lifeboat job may use the target meanwhile (another console's backup of it, or restore onto it).
  const locks = await takeJobLocks([{ key: await diskLockKey(plan.target.device), what: plan.target.device }], `restore of ${plan.image.dir} onto ${plan.target.device}`);
  try {
    return await restoreLocked(plan, runner, opts, onEvent);
  } finally {
    await locks.release();
  }
}

async function restoreLocked(plan: RestorePlan, runner: Runner, opts: { signal?: AbortSignal }, onEvent: EventSink): Promise<RestoreResult> {
  const started = Date.now();
  const { image, target } = plan;
  const parts = plan.steps.filter((s) => s.kind === 'partition');
  const total = parts.reduce((n, s) => n + (s.kind === 'partition' ? s.part.imageBytes : 0), 0);
  onEvent({ type: 'start', job: 'restore', device: target.device, image: image.dir, partitions: parts.length, totalBytes: total });
  // Nothing is written before the image has proven whole.
  onEvent({ type: 'step', job: 'restore', message: image.manifest ? 'checking the SHA-256 of every image file' : 'Clonezilla image: partclone checks its data while restoring' });
  const done: string[] = [];
  const tracker = new ProgressTracker(total);
  const grow = plan.steps.find((s) => s.kind === 'grow');
  // The next partition starts once this one's data is through (pipeline/scheduler.ts); every other step (swap, grow,
  // the end) first waits for all of them, and a failure in a partition's tail is reported there.
  const partitions = createScheduler<string>();
  const settle = async () => void done.push(...(await partitions.settle()));
  try {
    failOn(await verifyChecksums(image, undefined, opts.signal));
    for (const step of plan.steps) {
      if (step.kind !== 'partition') await settle();
      if (opts.signal?.aborted) throw new InterruptedError(`restore interrupted after: ${done.join('; ') || 'nothing'}; ${target.device} is incomplete`);
      onEvent({ type: 'step', job: 'restore', message: step.text });
      if (step.kind === 'partition') {
        // A failure before the data is through stops the restore here.
        await partitions.start(async (through) => {
          await restorePartition(step, { runner, image, tracker, onEvent, onThrough: through, ...(opts.signal ? { signal: opts.signal } : {}) });
          return step.text;
        });
        continue;
      }
      await restoreStep(step, { runner, image, target, grow, shrink: plan.shrink, ...(opts.signal ? { signal: opts.signal } : {}) });
      done.push(step.text);
    }
    await settle();
  } catch (e) {
    // A stop kills the running tools: their failures are the stop's, not a broken image or disk.
    if (opts.signal?.aborted) throw new InterruptedError(`restore interrupted after: ${done.join('; ') || 'nothing'}; ${target.device} is incomplete`);
    throw e;
  } finally {
    await partitions.drain(); // after a failure: nothing of this restore still runs
  }
  await runner.run('sync', []);
  const seconds = (Date.now() - started) / 1000;
  onEvent({ type: 'done', job: 'restore', image: image.dir, device: target.device, seconds, bytes: total });
  return { device: target.device, image: image.dir, seconds, bytes: total, steps: done };
}

export type Step = RestorePlan['steps'][number];

/** One partition from its image files: partclone.restore fed through a FIFO, or raw data written onto the partition. */
export async function restorePartition(
  step: Extract<Step, { kind: 'partition' }>,
  ctx: { runner: Runner; image: RestorePlan['image']; tracker: ProgressTracker; onEvent: EventSink; onThrough: () => void; signal?: AbortSignal },
): Promise<void> {
  const { runner, image, tracker, onEvent } = ctx;
  const t0 = Date.now();
  const p = step.part;
  const handler = p.handler!;
  let through = false;
  const onThrough = () => {
    if (!through) tracker.finish(p.imageBytes);
    through = true;
    ctx.onThrough();
  };
  const progress = (percent: number, bytesPerSecond: number | undefined) => {
    if (through) return;
    const overall = tracker.overall(p.imageBytes, percent);
    onEvent({ type: 'progress', job: 'restore', partition: p.name, percent, overallPercent: overall, bytesPerSecond, etaSeconds: tracker.eta(overall) });
  };
  const partclone = handler.restore('IN', 'OUT') !== undefined;
  const stages = composePipeline({
    direction: 'restore',
    support: partclone ? 'partclone' : 'raw',
    codec: image.codec,
    files: p.files,
    partclone: (fifo) => handler.restore(fifo, step.target)!,
    target: step.target,
  });
  let last = 0;
  await runPipeline(stages, {
    runner,
    onThrough,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onEvent: (e) => e.kind === 'progress' && progress(e.percent, e.bytesPerMinute !== undefined ? e.bytesPerMinute / 60 : undefined),
    // A raw image has no partclone to tell its progress: the bytes read from its files do.
    ...(partclone
      ? {}
      : {
          onSourceBytes: (n: number) => {
            if (Date.now() - last < 500) return;
            last = Date.now();
            progress((n / Math.max(1, p.imageBytes)) * 100, n / Math.max(0.001, (Date.now() - t0) / 1000));
          },
        }),
  });
  onThrough();
  // What partclone leaves out (NTFS: the backup boot sector; the hidden sectors of a volume at a new place).
  if (partclone) await fsRecord(p.fsType).finish?.(step.target);
  onEvent({ type: 'partition-done', job: 'restore', partition: p.name, bytes: p.imageBytes, seconds: (Date.now() - t0) / 1000 });
}

/** Every other step: the table, boot code, hidden data, an extended partition's boot record, swap, LVM, grow. */
async function restoreStep(
  step: Exclude<Step, { kind: 'partition' }>,
  ctx: { runner: Runner; image: RestorePlan['image']; target: RestorePlan['target']; grow: Step | undefined; shrink: RestorePlan['shrink']; signal?: AbortSignal },
): Promise<void> {
  const { runner, image, target, grow } = ctx;
  switch (step.kind) {
    case 'table': {
      const script = sfdiskScript(image.layout.table!, { device: target.device, partitionPath: (n) => partitionPath(target.device, n) }, ctx.shrink ? { kind: 'planned', at: placementOf(ctx.shrink) } : { kind: grow?.kind === 'grow' ? 'grow-last' : 'same-sizes' });
      // The old table's signatures go, so no stale GPT backup header is left at the end of the disk.
      await runner.run('wipefs', ['--all', '--force', target.device]);
      await runner.run('sfdisk', ['--no-reread', '--no-tell-kernel', '--quiet', target.device], { input: script, hint: 'the partition table in the image does not fit this disk' });
      await replacePartitionNodes(runner, target.device);
      break;
    }
    case 'boot-code': {
      const mbr = await readFile(image.files.mbr!);
      let bytes = step.bytes;
      // Boot-only keeps the target's disk signature (440..445), which its partition ids derive from; a blank one
      // (wiped with the boot code) comes back from the image, as Windows' boot configuration needs it.
      if (bytes === 440 && (await readBytes(target.device, 440, 4)).readUInt32LE(0) === 0) bytes = 446;
      await writeBytes(target.device, 0, mbr.subarray(0, bytes));
      break;
    }
    case 'hidden-data': {
      const data = await readFile(image.files.hiddenDataAfterMbr!);
      await writeBytes(target.device, image.table.sectorSize, data);
      break;
    }
    case 'ebr': {
      // Only the boot code: the EBR's partition entries (446..511) are the ones sfdisk just wrote.
      const ebr = await readFile(step.file);
      await writeBytes(target.device, step.offset, ebr.subarray(0, 446));
      break;
    }
    case 'swap': {
      await fsRecords.swap.recreate!(runner, step.target, step.part.swap);
      break;
    }
    case 'shrink': {
      const p = step.part;
      await restoreShrunk(runner, { files: p.files, codec: image.codec, fsType: step.fsType, oldBytes: step.oldBytes, newBytes: step.newBytes, target: step.target, stagingDir: step.stagingDir, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      break;
    }
    case 'lvm-pv':
    case 'lvm-vg':
    case 'lvm-deactivate':
      await runLvmStep(runner, step);
      break;
    case 'grow': {
      const grower = step.fsType ? fsRecord(step.fsType).grow : undefined;
      if (grower) await grower(runner, step.target);
      break;
    }
  }
}

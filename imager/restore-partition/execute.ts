// Carries out a one-partition restore plan: check that partition's image files, write it, grow its filesystem (or
// shrink it through a staging copy onto a smaller partition).
import path from 'node:path';
import { InterruptedError, RefusedError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { ProgressTracker, type EventSink } from '../events.js';
import { fsRecord, fsRecords } from '../fs/registry.js';
import type { Image } from '../image/open.js';
import { diskLockKey, takeJobLocks } from '../lock/job-lock.js';
import { throwIfRefused } from '../plan/refusals.js';
import { restorePartition, type RestoreResult } from '../restore/execute.js';
import { restoreShrunk } from '../restore/shrink-partition.js';
import { failOn, verifyChecksums } from '../verify/verify.js';
import type { PartitionRestorePlan } from './plan.js';

/** The image as far as this restore reads it: the manifest's checksums of the one partition's files only. */
function onlyFilesOf(image: Image, files: readonly string[]): Image {
  if (!image.manifest) return image;
  const names = new Set(files.map((f) => path.basename(f)));
  return { ...image, manifest: { ...image.manifest, files: Object.fromEntries(Object.entries(image.manifest.files).filter(([f]) => names.has(f))) } };
}

export async function executePartitionRestore(plan: PartitionRestorePlan, runner: Runner, opts: { confirmed: boolean; onEvent?: EventSink; signal?: AbortSignal }): Promise<RestoreResult> {
  const onEvent = opts.onEvent ?? (() => {});
  throwIfRefused(plan.refusals);
  if (!opts.confirmed) throw new RefusedError(`restoring onto ${plan.target.device} was not confirmed`, 'pass --yes, or type the partition name when asked');
  // The whole disk is locked: another job writing its table meanwhile would move the partition under this one.
  const locks = await takeJobLocks([{ key: await diskLockKey(plan.disk.device), what: plan.disk.device }], `restore of partition ${plan.source.number} of ${plan.image.dir} onto ${plan.target.device}`);
  try {
    return await restoreLocked(plan, runner, opts.signal, onEvent);
  } finally {
    await locks.release();
  }
}

async function restoreLocked(plan: PartitionRestorePlan, runner: Runner, signal: AbortSignal | undefined, onEvent: EventSink): Promise<RestoreResult> {
  const started = Date.now();
  const { image, source, target } = plan;
  const total = source.imageBytes;
  const stopped = (done: string[]) => new InterruptedError(`restore interrupted after: ${done.join('; ') || 'nothing'}; ${target.device} is incomplete`);
  onEvent({ type: 'start', job: 'restore', device: target.device, image: image.dir, partitions: 1, totalBytes: total });
  onEvent({ type: 'step', job: 'restore', message: image.manifest ? `checking the SHA-256 of ${source.name}'s image files` : 'Clonezilla image: partclone checks its data while restoring' });
  const done: string[] = [];
  try {
    failOn(await verifyChecksums(onlyFilesOf(image, source.files), undefined, signal));
    for (const step of plan.steps) {
      if (signal?.aborted) throw stopped(done);
      onEvent({ type: 'step', job: 'restore', message: step.text });
      if (step.kind === 'partition') {
        await restorePartition(step, { runner, image, tracker: new ProgressTracker(total), onEvent, onThrough: () => undefined, ...(signal ? { signal } : {}) });
        await fsRecord(source.fsType).finish?.(step.target);
      } else if (step.kind === 'swap') {
        await fsRecords.swap.recreate!(runner, step.target, step.part.swap);
      } else if (step.kind === 'shrink') {
        await restoreShrunk(runner, { files: step.part.files, codec: image.codec, fsType: step.fsType, oldBytes: step.oldBytes, newBytes: step.newBytes, target: step.target, stagingDir: step.stagingDir, ...(signal ? { signal } : {}) });
      } else {
        await fsRecord(step.fsType).grow!(runner, step.target);
      }
      done.push(step.text);
    }
  } catch (e) {
    if (signal?.aborted) throw stopped(done);
    throw e;
  }
  await runner.run('sync', []);
  const seconds = (Date.now() - started) / 1000;
  onEvent({ type: 'done', job: 'restore', image: image.dir, device: target.device, seconds, bytes: total });
  return { device: target.device, image: image.dir, seconds, bytes: total, steps: done };
}

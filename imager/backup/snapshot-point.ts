// The snapshot point of a running system's backup (backup --snapshot/--freeze/--db/--pre/--post): the pre-hook, the
// databases' recipes and the LVM snapshots before anything is read; the point's end (the databases' holds released,
// then the post-hook, once); and every snapshot removed whatever happens. A backup with nothing of it passes through.
import { RefusedError, InterruptedError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import type { EventSink } from '../events.js';
import { createSnapshot, type LvSnapshot } from '../lvm/snapshot.js';
import type { PlannedLv } from '../lvm/backup-plan.js';
import { describeRecipe, holdDatabase, type DatabaseHold } from '../running/databases.js';
import { runHook } from '../running/hooks.js';
import type { BackupPlan } from './plan.js';

export interface SnapshotPoint {
  /** The snapshot of each mounted LV read from one, by vg/lv. */
  snapshots: ReadonlyMap<string, LvSnapshot>;
  /**
   * The snapshot point is over (every volume read, or the job failed): holds released, the post-hook run once. The
   * image is whole whatever the post-hook does: its failure is a warning event, never the job's failure.
   */
  over(ok: boolean): Promise<void>;
}

/** Runs fn between the snapshot point's start and the removal of its snapshots; a failing pre-hook leaves nothing. */
export async function withSnapshotPoint<T>(plan: BackupPlan, runner: Runner, onEvent: EventSink, signal: AbortSignal | undefined, fn: (point: SnapshotPoint) => Promise<T>): Promise<T> {
  const hooks = plan.running;
  const hookCtx = { disk: plan.disk.device, image: plan.shownImage };
  // The pre-hook runs before anything is written or frozen: when it fails, the job ends with nothing left behind.
  if (hooks?.pre) {
    onEvent({ type: 'step', job: 'backup', message: 'running the --pre hook' });
    await runHook(runner, 'pre', hooks.pre, hooks.hookTimeoutSeconds, hookCtx, signal);
  }
  const holds: DatabaseHold[] = [];
  let postDone = !hooks?.post;
  const over = async (ok: boolean) => {
    for (const h of holds.splice(0)) await h.release();
    if (postDone) return;
    postDone = true;
    onEvent({ type: 'step', job: 'backup', message: 'running the --post hook' });
    await runHook(runner, 'post', hooks!.post!, hooks!.hookTimeoutSeconds, { ...hookCtx, ok }).catch((e: unknown) => onEvent({ type: 'warning', job: 'backup', message: (e as Error).message }));
  };
  const snapshots = new Map<string, LvSnapshot>();
  try {
    // The database recipes once the pre-hook is through, before anything is written or frozen (running/databases.ts).
    for (const db of plan.databases) {
      onEvent({ type: 'step', job: 'backup', message: `${describeRecipe(db.recipe)}: ${db.recipe.kind === 'mysql' ? 'FLUSH TABLES WITH READ LOCK' : 'CHECKPOINT'}` });
      holds.push(await holdDatabase(runner, db.recipe, hooks!.hookTimeoutSeconds, signal));
    }
    // Every mounted LV's snapshot, one right after the other (lvm/snapshot.ts).
    for (const vg of plan.lvm.vgs)
      for (const lv of vg.lvs.filter((l) => l.read)) {
        if (signal?.aborted) throw new InterruptedError('backup interrupted');
        onEvent({ type: 'step', job: 'backup', message: `making an LVM snapshot of ${vg.name}/${lv.name} (${lv.read!.sizeBytes} bytes)` });
        snapshots.set(`${vg.name}/${lv.name}`, await createSnapshot(runner, vg.name, lv.name, lv.read!.sizeBytes));
      }
    // With nothing to freeze afterwards, the point is over once the snapshots exist: the post-hook runs now, and
    // whatever the pre-hook paused goes on while the snapshots are read.
    if ((snapshots.size > 0 || holds.length > 0) && !plan.partitions.some((p) => p.read)) await over(true);
    return await fn({ snapshots, over });
  } finally {
    for (const snap of snapshots.values()) await snap.remove();
    await over(false);
  }
}

/**
 * The save of a mounted LV from its snapshot: removed as soon as it is read; one that overflowed is no image, and
 * its I/O errors are said as what they are, never as bad sectors.
 */
export function fromSnapshot(snap: LvSnapshot, lv: PlannedLv, save: (onThrough: () => void) => Promise<void>, markRead: () => void, signal: AbortSignal | undefined): (onThrough: () => void) => Promise<void> {
  const overflow = () => new RefusedError(`the LVM snapshot of ${lv.vg}/${lv.name} filled up (${lv.read!.sizeBytes} bytes) while it was read: more changed on ${lv.facts.mountpoints.join(', ')} than it could hold; no image was kept`, `free more extents in ${lv.vg} (the snapshot takes its share of them), or back up when less is written`);
  return async (onThrough) => {
    try {
      try {
        await save(onThrough);
      } catch (e) {
        if (!signal?.aborted && (await snap.overflowed().catch(() => false))) throw overflow();
        throw e;
      }
      if (await snap.overflowed()) throw overflow();
      markRead();
    } finally {
      await snap.remove();
    }
  };
}

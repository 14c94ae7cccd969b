// The one-partition restore job: open the store read-only -> open the image and probe the target disk -> plan (pure)
// -> confirm -> execute -> release. Only the chosen partition of the target is written.
import type { Runner } from '../../core/runner/run.js';
import { RefusedError } from '../../core/errors.js';
import { notConfirmedNote } from '../rescue/partition.js';
import type { EventSink } from '../events.js';
import { throwIfRefused } from '../plan/refusals.js';
import { executePartitionRestore } from '../restore-partition/execute.js';
import type { PartitionRestorePlan } from '../restore-partition/plan.js';
import { preparePartitionRestore, type PartitionChoice } from '../restore-partition/prepare.js';
import type { RestoreResult } from '../restore/execute.js';
import { usingStore, type StoreArg } from './store-use.js';
import { withImageDir } from '../crypt/image-dir.js';
import type { PassphraseSource } from '../crypt/passphrase.js';

export interface PartitionRestoreJobRequest {
  store: StoreArg;
  /** The image's name (path) inside the store. */
  image: string;
  /** The target disk as the user names it. */
  disk: string;
  partition: PartitionChoice;
  /** Asked with the plan before anything is written: true goes on, false stops with nothing written. */
  confirm: (plan: PartitionRestorePlan) => Promise<boolean>;
  notConfirmedHint?: string;
  /** The passphrase of an encrypted image (asked only when the image is one). */
  passphrase?: PassphraseSource | undefined;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

/** The plan only (--dry-run, a UI's summary): nothing changes; refusals stay in the plan. */
export function planPartitionRestoreJob(runner: Runner, req: Omit<PartitionRestoreJobRequest, 'confirm'>): Promise<PartitionRestorePlan> {
  return usingStore(runner, req.store, 'read', (store) => withImageDir(runner, store, req.image, req.passphrase, (d) => preparePartitionRestore(runner, d.dir, req.disk, req.partition, { dryRun: true, at: d })));
}

export function partitionRestoreJob(runner: Runner, req: PartitionRestoreJobRequest): Promise<RestoreResult & { plan: PartitionRestorePlan }> {
  return usingStore(runner, req.store, 'read', (store) =>
    withImageDir(runner, store, req.image, req.passphrase, async (d) => {
      const plan = await preparePartitionRestore(runner, d.dir, req.disk, req.partition, { at: d });
      throwIfRefused(plan.refusals);
      if (!(await req.confirm(plan))) throw new RefusedError(`not confirmed: nothing was written to ${plan.target.device}${notConfirmedNote(plan.warnings)}`, req.notConfirmedHint);
      const r = await executePartitionRestore(plan, runner, { confirmed: true, ...(req.onEvent ? { onEvent: req.onEvent } : {}), ...(req.signal ? { signal: req.signal } : {}) });
      return { ...r, plan };
    }),
  );
}

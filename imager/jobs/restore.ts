// The restore job (and repair-boot, a restore of the boot records only): open the store read-only -> open the image
// and probe the target -> plan (pure) -> confirm -> execute -> release.
import { executeRestore, type RestoreResult } from '../restore/execute.js';
import { throwIfRefused } from '../plan/refusals.js';
import type { RestorePlan } from '../restore/plan.js';
import { prepareRestore } from '../restore/prepare.js';
import type { Runner } from '../../core/runner/run.js';
import { RefusedError } from '../../core/errors.js';
import { notConfirmedNote } from '../rescue/partition.js';
import type { EventSink } from '../events.js';
import { usingStore, type StoreArg } from './store-use.js';
import { withImageDir } from '../crypt/image-dir.js';
import type { PassphraseSource } from '../crypt/passphrase.js';

export interface RestoreJobRequest {
  store: StoreArg;
  /** The image's name (path) inside the store. */
  image: string;
  /** The target disk as the user names it. */
  disk: string;
  bootOnly: boolean;
  grow: boolean;
  /** On a smaller disk: fit the partitions to it (layout/shrink-plan.ts) instead of refusing. */
  shrink?: boolean;
  /** With shrink: sizes a person chose (layout/layout-file.ts), bytes by partition number. */
  sizes?: ReadonlyMap<number, number>;
  /**
   * Asked with the plan before anything is written: true goes on, false stops with nothing written. Required: a
   * restore overwrites a disk, so every face says how it confirmed (typed name, the UI's prompt, lifeboat.job=).
   */
  confirm: (plan: RestorePlan) => Promise<boolean>;
  /** The passphrase of an encrypted image (asked only when the image is one; without it such an image is refused). */
  passphrase?: PassphraseSource | undefined;
  /** What a "no" from confirm is told as (the faces' own words). */
  notConfirmedHint?: string;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

/** The plan of a restore only (the UI's summary, --dry-run: nothing changes); refusals stay in the plan. */
export function planRestoreJob(runner: Runner, req: Omit<RestoreJobRequest, 'confirm'>): Promise<RestorePlan> {
  return usingStore(runner, req.store, 'read', (store) =>
    withImageDir(runner, store, req.image, req.passphrase, (d) => prepareRestore(runner, d.dir, req.disk, { bootOnly: req.bootOnly, grow: req.grow && !req.bootOnly, shrink: req.shrink === true && !req.bootOnly, ...(req.sizes ? { sizes: req.sizes } : {}) }, { dryRun: true, at: d })),
  );
}

export function restoreJob(runner: Runner, req: RestoreJobRequest): Promise<RestoreResult & { plan: RestorePlan }> {
  return usingStore(runner, req.store, 'read', (store) =>
    withImageDir(runner, store, req.image, req.passphrase, async (d) => {
      const plan = await prepareRestore(runner, d.dir, req.disk, { bootOnly: req.bootOnly, grow: req.grow && !req.bootOnly, shrink: req.shrink === true && !req.bootOnly, ...(req.sizes ? { sizes: req.sizes } : {}) }, { at: d });
      throwIfRefused(plan.refusals);
      if (!(await req.confirm(plan))) throw new RefusedError(`not confirmed: nothing was written to ${plan.target.device}${notConfirmedNote(plan.warnings)}`, req.notConfirmedHint);
      const r = await executeRestore(plan, runner, { confirmed: true, ...(req.onEvent ? { onEvent: req.onEvent } : {}), ...(req.signal ? { signal: req.signal } : {}) });
      // A repository's image is read through a private folder of links: the result names the snapshot instead.
      return { ...r, ...(store.rawStreams ? { image: store.describeImage(req.image) } : {}), plan };
    }),
  );
}

/** Repair boot: the boot records of the image only (MBR boot code, hidden data, EFI and BIOS boot partitions). */
export function repairBootJob(runner: Runner, req: Omit<RestoreJobRequest, 'bootOnly' | 'grow'>): Promise<RestoreResult & { plan: RestorePlan }> {
  return restoreJob(runner, { ...req, bootOnly: true, grow: false });
}

// The forget job: retention in an image repository (per disk, restic's policy), then prune; what went and what it freed.
import type { Runner } from '../../core/runner/run.js';
import { UsageError } from '../../core/errors.js';
import type { EventSink } from '../events.js';
import { forgetInRepository, type ForgetResult, type RetentionPolicy } from '../repository/forget.js';
import type { StoreRef } from '../store/store.js';

export function forgetJob(runner: Runner, req: { store: StoreRef; policy: RetentionPolicy; onEvent?: EventSink }): Promise<ForgetResult> {
  if (req.store.kind !== 'restic') throw new UsageError('forget works on image repositories (restic:…) only', 'delete a folder image with rm -r; lifeboat forget restic:/srv/repo --keep-daily 7');
  return forgetInRepository(runner, req.store, req.policy, req.onEvent);
}

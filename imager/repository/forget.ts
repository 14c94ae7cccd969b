// Retention in a restic repository: restic's own policy (keep-last/daily/weekly/monthly) decides over the manifest
// snapshots grouped by the disk's identity (restic's host), and every snapshot of each backup it drops goes with it
// (its partition streams), as do backups that never finished; then prune frees their data. Says what went and how
// much space that freed.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import type { EventSink } from '../events.js';
import { ensureRepository, listRepositoryImages } from './store.js';
import { openRestic, type Restic } from './restic.js';
import { tags, type RepositoryImage, type ResticSnapshot } from './snapshots.js';
import type { ResticRef } from './uri.js';

export interface RetentionPolicy {
  keepLast?: number | undefined;
  keepDaily?: number | undefined;
  keepWeekly?: number | undefined;
  keepMonthly?: number | undefined;
}

export interface ForgetResult {
  repository: string;
  /** The backups removed (each with every snapshot of its set). */
  removed: Array<{ snapshot: string; time: string; identity: string; disk: string | undefined }>;
  kept: Array<{ snapshot: string; time: string; identity: string; disk: string | undefined }>;
  /** Backups that never finished (no manifest snapshot), removed as well. */
  unfinished: number;
  /** Snapshots forgotten in all. */
  snapshots: number;
  /** The repository's size before and after prune, and the difference. */
  bytesBefore: number;
  bytesAfter: number;
  freedBytes: number;
}

/** restic forget's policy flags; at least one, each a whole number of 1 or more. */
export function policyArgs(p: RetentionPolicy): string[] {
  const out: string[] = [];
  const add = (flag: string, n: number | undefined) => {
    if (n === undefined) return;
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} ${n} is not a whole number of 1 or more`, `e.g. --${flag} 7`);
    out.push(`--${flag}`, String(n));
  };
  add('keep-last', p.keepLast);
  add('keep-daily', p.keepDaily);
  add('keep-weekly', p.keepWeekly);
  add('keep-monthly', p.keepMonthly);
  if (out.length === 0) throw new UsageError('forget needs a policy: --keep-daily N, --keep-weekly N, --keep-monthly N or --keep-last N', 'e.g. lifeboat forget restic:/srv/repo --keep-daily 7 --keep-weekly 4 --keep-monthly 6');
  return out;
}

/** What restic's policy drops, from `forget --dry-run --json`: the short ids of the manifest snapshots to remove. */
export function parseForgetPlan(stdout: string): string[] {
  const groups = (JSON.parse(stdout || '[]') as Array<{ remove?: ResticSnapshot[] | null }> | null) ?? [];
  return groups.flatMap((g) => (g.remove ?? []).map((s) => s.short_id));
}

/** Bytes of the repository: its files, for a local folder; restic's own count of the stored data elsewhere. */
async function repositoryBytes(restic: Restic): Promise<number> {
  const local = restic.ref.localPath;
  if (local) {
    let n = 0;
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) n += (await stat(p)).size;
      }
    };
    await walk(local);
    return n;
  }
  const r = await restic.run(['stats', '--mode', 'raw-data', '--json']);
  return (JSON.parse(r.stdout) as { total_size?: number }).total_size ?? 0;
}

const brief = (i: RepositoryImage) => ({ snapshot: i.snapshot, time: i.time, identity: i.identity, disk: i.disk });

export async function forgetInRepository(runner: Runner, ref: ResticRef, policy: RetentionPolicy, onEvent: EventSink = () => {}): Promise<ForgetResult> {
  const flags = policyArgs(policy);
  const restic = await openRestic(runner, ref);
  try {
    await ensureRepository(restic, 'read');
    await restic.run(['unlock']);
    const images = await listRepositoryImages(restic);
    onEvent({ type: 'step', job: 'forget', message: `applying the policy to ${images.filter((i) => i.complete).length} backups, per disk` });
    const plan = await restic.run(['forget', '--dry-run', '--json', '--tag', tags.manifest, '--group-by', 'host', ...flags]);
    const drop = new Set(parseForgetPlan(plan.stdout));
    const removed = images.filter((i) => i.complete && drop.has(i.snapshot));
    const unfinished = images.filter((i) => !i.complete);
    const ids = [...removed, ...unfinished].flatMap((i) => i.members);
    const bytesBefore = await repositoryBytes(restic);
    if (ids.length > 0) {
      onEvent({ type: 'step', job: 'forget', message: `forgetting ${removed.length} backups${unfinished.length ? ` and ${unfinished.length} unfinished` : ''} (${ids.length} snapshots)` });
      await restic.run(['forget', ...ids]);
      onEvent({ type: 'step', job: 'forget', message: 'pruning the data no snapshot uses' });
      await restic.run(['prune']);
    }
    const bytesAfter = ids.length > 0 ? await repositoryBytes(restic) : bytesBefore;
    return {
      repository: ref.uri,
      removed: removed.map(brief),
      kept: images.filter((i) => i.complete && !drop.has(i.snapshot)).map(brief),
      unfinished: unfinished.length,
      snapshots: ids.length,
      bytesBefore,
      bytesAfter,
      freedBytes: Math.max(0, bytesBefore - bytesAfter),
    };
  } finally {
    await restic.release();
  }
}

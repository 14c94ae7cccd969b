// One run of a schedule (what its timer's service starts, and `schedule run NAME`): never two at once (a job lock per
// schedule), the disk checked to be the one the schedule was made for, the library's own backup job, then the
// repository's retention; the outcome in one line to the caller (the journal, under systemd) and to the history;
// a failure calls the --on-failure command. The run's result is the history entry.
import { exitCodes, LifeboatError, RefusedError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { codecs } from '../codec/codecs.js';
import { probeDisk } from '../disks/probe.js';
import { resolveDisk } from '../disks/resolve.js';
import type { EventSink } from '../events.js';
import { backupJob } from '../jobs/backup.js';
import { forgetJob } from '../jobs/forget.js';
import { takeJobLocks } from '../lock/job-lock.js';
import { diskIdentity } from '../repository/snapshots.js';
import { parseStoreRef } from '../store/open.js';
import { runningReadOptions } from '../running/options.js';
import { readSchedule, type Schedule } from './definition.js';
import { appendHistory, type HistoryEntry } from './history.js';
import type { SchedulePaths } from './paths.js';

/** How long the --on-failure command may take before it is stopped. */
export const onFailureTimeoutMs = 60_000;

async function checkDisk(runner: Runner, s: Schedule): Promise<string> {
  const resolved = await resolveDisk(s.disk);
  const now = diskIdentity(await probeDisk(runner, resolved.device));
  if (now !== s.diskIdentity) throw new RefusedError(`${s.disk} is not the disk schedule ${s.name} images: it was ${s.diskIdentity}, it is ${now}`, `nothing was written; if the disk was replaced on purpose, lifeboat schedule remove ${s.name} and add it again`);
  return resolved.device;
}

async function imageIt(runner: Runner, s: Schedule, o: { onEvent?: EventSink; signal?: AbortSignal; now?: Date }): Promise<Pick<HistoryEntry, 'message' | 'image' | 'addedBytes'>> {
  const device = await checkDisk(runner, s);
  const store = parseStoreRef(s.to, { passwordFile: s.passwordFile, sshKey: s.sshKey, knownHosts: s.knownHosts });
  // Snapshot mode reads mounted LVs from LVM snapshots; --freeze and the hooks are the schedule's own.
  const running = runningReadOptions({ ...(s.running ?? {}), snapshots: s.mode === 'snapshot' });
  // A post-hook's failure once the data is read is a warning of the job (the image is kept): the history says so too.
  const warnings: string[] = [];
  const onEvent: EventSink = (e) => {
    if (e.type === 'warning') warnings.push(e.message);
    o.onEvent?.(e);
  };
  const r = await backupJob(runner, { disk: device, store, codec: codecs.zstd, running, onEvent, ...(o.signal ? { signal: o.signal } : {}), ...(o.now ? { now: o.now } : {}) });
  const unreadable = r.manifest?.state === 'complete-with-unreadable-sectors' ? ', with unreadable sectors' : '';
  let message = `saved ${s.disk} to ${r.image}${unreadable}${r.addedBytes !== undefined ? ` (${r.addedBytes} bytes of new data)` : ''}`;
  for (const w of warnings.filter((w) => w.startsWith('the --post hook'))) message += `; warning: ${w}`;
  if (s.keep && store.kind === 'restic') {
    const f = await forgetJob(runner, { store, policy: s.keep, ...(o.onEvent ? { onEvent: o.onEvent } : {}) });
    message += `; retention: ${f.kept.length} kept, ${f.removed.length} removed, ${f.freedBytes} bytes freed`;
  }
  return { message, image: r.image, ...(r.addedBytes !== undefined ? { addedBytes: r.addedBytes } : {}) };
}

/** The --on-failure command, with the run's outcome in its environment; its own failure is recorded, never thrown. */
async function callOnFailure(runner: Runner, s: Schedule, exitCode: number, message: string): Promise<string> {
  try {
    await runner.run('sh', ['-c', s.onFailure!], { env: { LIFEBOAT_SCHEDULE: s.name, LIFEBOAT_EXIT_CODE: String(exitCode), LIFEBOAT_MESSAGE: message }, signal: AbortSignal.timeout(onFailureTimeoutMs), stdin: 'ignore' });
    return 'ran';
  } catch (e) {
    return `failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** The run's history entry, and its error when it failed (the faces report it as any job's failure). */
export async function runSchedule(runner: Runner, name: string, o: { paths: SchedulePaths; onEvent?: EventSink; signal?: AbortSignal; now?: Date }): Promise<{ entry: HistoryEntry; error: unknown }> {
  const s = await readSchedule(o.paths, name);
  const started = new Date();
  let ok = true;
  let exitCode = 0;
  let outcome: Pick<HistoryEntry, 'message' | 'image' | 'addedBytes'>;
  let error: unknown;
  try {
    const locks = await takeJobLocks([{ key: `schedule:${s.name}`, what: `schedule ${s.name}` }], `scheduled run of ${s.name}`);
    try {
      outcome = await imageIt(runner, s, o);
    } finally {
      await locks.release();
    }
  } catch (e) {
    ok = false;
    error = e;
    exitCode = e instanceof LifeboatError ? exitCodes[e.kind] : exitCodes.internal;
    const err = e as Error;
    outcome = { message: `${err.message}${e instanceof LifeboatError && e.hint ? ` (${e.hint})` : ''}` };
  }
  const entry: HistoryEntry = { schedule: s.name, started: started.toISOString(), finished: new Date().toISOString(), ok, exitCode, ...outcome };
  if (!ok && s.onFailure) entry.onFailure = await callOnFailure(runner, s, exitCode, entry.message);
  await appendHistory(o.paths, entry);
  return { entry, error };
}

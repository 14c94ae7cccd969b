// The unattended job of the live system (lifeboat.job=… on the kernel command line): the parameters as a plan
// (pure, tested without booting), and runAutorun, which runs the library's own job in this process and leaves the
// job's log on the store (lifeboat-<job>-<time>.log at its root) whatever the outcome.
import { exitCodes, LifeboatError } from '../core/errors.js';
import type { AutorunParams } from '../core/live/cmdline.js';
import type { Runner } from '../core/runner/run.js';
import { codecs } from '../imager/codec/codecs.js';
import { backupJob } from '../imager/jobs/backup.js';
import { JobLog } from '../imager/jobs/job-log.js';
import { repairBootJob, restoreJob } from '../imager/jobs/restore.js';
import { verifyJob } from '../imager/jobs/verify.js';
import { parseStoreRef } from '../imager/store/open.js';
import type { StoreRef } from '../imager/store/store.js';
import type { ImagerEvent } from '../imager/events.js';
import { failOn } from '../imager/verify/verify.js';

export type AutorunJob = 'backup' | 'restore' | 'repair-boot' | 'verify';

export interface AutorunPlan {
  job: AutorunJob;
  /** lifeboat.store= as given (Clonezilla's forms: /dev/sdb1, LABEL=X:/dir, UUID=…:/dir). */
  storeText: string;
  store: StoreRef;
  disk: string | undefined;
  /** The image's name in the store; a backup without one gets the one naming rule's. */
  image: string | undefined;
  after: 'poweroff' | 'reboot' | 'shell';
  /** backup: go on past unreadable sectors and record them (lifeboat.rescue=1, as `backup --rescue`). */
  rescue: boolean;
}

const yes = new Set(['1', 'yes', 'true', 'on']);
const no = new Set(['0', 'no', 'false', 'off']);

/** The plan for the kernel's lifeboat.* parameters, or an error in words when they do not make a job. */
export function planAutorun(p: AutorunParams): AutorunPlan | { error: string } {
  if (!p.job || p.job === 'none') return { error: 'no job (lifeboat.job is not set, or none)' };
  const after = p.after ?? 'shell';
  if (after !== 'poweroff' && after !== 'reboot' && after !== 'shell') return { error: `lifeboat.after=${after}: use poweroff, reboot or shell` };
  if (!p.store) return { error: `lifeboat.job=${p.job} needs lifeboat.store=` };
  let store: StoreRef;
  try {
    store = parseStoreRef(p.store);
  } catch (e) {
    return { error: `lifeboat.store=${p.store}: ${(e as Error).message}` };
  }
  const rescue = p.rescue === undefined ? false : yes.has(p.rescue) ? true : no.has(p.rescue) ? false : undefined;
  if (rescue === undefined) return { error: `lifeboat.rescue=${p.rescue}: use 1 or 0` };
  if (rescue && p.job !== 'backup') return { error: `lifeboat.rescue=${p.rescue}: only a backup reads past unreadable sectors (lifeboat.job=${p.job})` };
  const plan = { storeText: p.store, store, disk: p.disk, image: p.image, after, rescue } as const;
  switch (p.job) {
    case 'backup':
      if (!p.disk) return { error: 'lifeboat.job=backup needs lifeboat.disk=' };
      return { job: 'backup', ...plan };
    case 'restore':
    case 'repair-boot':
      if (!p.disk || !p.image) return { error: `lifeboat.job=${p.job} needs lifeboat.disk= and lifeboat.image=` };
      return { job: p.job, ...plan };
    case 'verify':
      if (!p.image) return { error: 'lifeboat.job=verify needs lifeboat.image=' };
      return { job: 'verify', ...plan };
    default:
      return { error: `lifeboat.job=${p.job}: use backup, restore, repair-boot or verify` };
  }
}

/** The job as the equivalent lifeboat command, for the consoles and the log. */
export function describeAutorun(plan: AutorunPlan): string {
  const image = `${plan.storeText.replace(/\/+$/, '')}${plan.storeText.includes(':/') ? '' : ':'}/${plan.image ?? '<disk>-<date>'}`;
  switch (plan.job) {
    case 'backup':
      return `lifeboat backup ${plan.disk} ${image}${plan.rescue ? ' --rescue' : ''}`;
    case 'restore':
      return `lifeboat restore ${image} ${plan.disk} --yes`;
    case 'repair-boot':
      return `lifeboat restore ${image} ${plan.disk} --boot-only --yes`;
    case 'verify':
      return `lifeboat verify ${image}`;
  }
}

export interface AutorunOutcome {
  ok: boolean;
  exitCode: number;
  /** The outcome or the refusal in one line. */
  message: string;
  /** The image in the store's words (a backup's new image). */
  image: string | undefined;
  /** The log's file name on the store, or why it could not be written. */
  log: { file: string } | { error: string };
}

/** Runs the job (confirmed by the kernel command line itself), then writes its log on the store. */
export async function runAutorun(plan: AutorunPlan, runner: Runner, o: { signal?: AbortSignal; now?: Date; onStep?: (line: string) => void } = {}): Promise<AutorunOutcome> {
  const log = new JobLog(runner, plan.job, o.now);
  log.add(`Lifeboat unattended job: ${describeAutorun(plan)}`);
  const onEvent = (e: ImagerEvent) => {
    log.event(e);
    if (e.type === 'step') o.onStep?.(e.message);
  };
  const signal = o.signal;
  let image: string | undefined;
  let message: string;
  let exitCode = 0;
  try {
    switch (plan.job) {
      case 'backup': {
        const r = await backupJob(runner, { disk: plan.disk!, store: plan.store, name: plan.image, codec: codecs.zstd, rescue: plan.rescue, onEvent, ...(signal ? { signal } : {}), ...(o.now ? { now: o.now } : {}) });
        image = r.image;
        const unreadable = r.manifest?.state === 'complete-with-unreadable-sectors';
        message = `saved ${r.plan.disk.device} to ${r.image}${unreadable ? ', with unreadable sectors (the image lists them; `lifeboat info` shows them)' : ''}`;
        break;
      }
      case 'restore':
      case 'repair-boot': {
        const job = plan.job === 'restore' ? restoreJob : repairBootJob;
        const r = await job(runner, { store: plan.store, image: plan.image!, disk: plan.disk!, bootOnly: false, grow: false, confirm: async () => true, onEvent, ...(signal ? { signal } : {}) });
        message = `${plan.job === 'restore' ? 'restored' : 'repaired the boot records of'} ${r.device} from ${plan.image}`;
        break;
      }
      case 'verify': {
        const r = await verifyJob(runner, { store: plan.store, image: plan.image!, onEvent, ...(signal ? { signal } : {}) });
        if (!r.ok) failOn(r.problems);
        message = `${plan.image}: OK (${r.checkedFiles} checksums, ${r.checkedPartitions} partition images)`;
        break;
      }
    }
    log.add(`outcome: succeeded: ${message}`);
  } catch (e) {
    const err = e as Error;
    exitCode = e instanceof LifeboatError ? exitCodes[e.kind] : exitCodes.internal;
    message = `${err.message}${e instanceof LifeboatError && e.hint ? ` (${e.hint})` : ''}`;
    log.add(`outcome: ${e instanceof LifeboatError && e.kind === 'refused' ? 'refused' : 'failed'} (exit code ${exitCode}): ${message}`);
  }
  let written: AutorunOutcome['log'];
  try {
    written = { file: await log.writeTo(runner, plan.store) };
  } catch (e) {
    written = { error: (e as Error).message };
  }
  return { ok: exitCode === 0, exitCode, message, image, log: written };
}

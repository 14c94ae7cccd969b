// The unattended job of the live system (lifeboat.job=… on the kernel command line): the parameters as a plan
// (pure, tested without booting), and runAutorun, which runs the library's own job in this process and leaves the
// job's log on the store (lifeboat-<job>-<time>.log at its root) whatever the outcome.
import { looksLikePartitionPlace, parsePartitionPlace } from '../imager/store/place.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { exitCodes, LifeboatError, NotFoundError } from '../core/errors.js';
import type { AutorunParams } from '../core/live/cmdline.js';
import type { Runner } from '../core/runner/run.js';
import { codecs } from '../imager/codec/codecs.js';
import { backupJob } from '../imager/jobs/backup.js';
import { JobLog } from '../imager/jobs/job-log.js';
import { repairBootJob, restoreJob } from '../imager/jobs/restore.js';
import { verifyJob } from '../imager/jobs/verify.js';
import { parseStoreRef, withStore } from '../imager/store/open.js';
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
  /** A restic: store's password file (lifeboat.password-file=): a partition and the file in it, or a live-system path. */
  passwordFile: { text: string; place: PasswordPlace } | undefined;
}

/** Where a password file is: a file in a partition (mounted read-only to read it), or a path in the live system. */
export type PasswordPlace = { kind: 'partition'; device: string; file: string } | { kind: 'path'; path: string };

const givePlace = 'give a file in a partition (LABEL=KEYS:/restic.pass, /dev/sdc1:/pass) or an absolute path';

/** lifeboat.password-file='s forms: LABEL=KEYS:/restic.pass, /dev/sdc1:/pass, UUID=…:/pass, or /path. */
export function parsePasswordPlace(text: string): PasswordPlace | { error: string } {
  if (looksLikePartitionPlace(text)) {
    const held = parsePartitionPlace(text);
    if (held !== undefined && !('error' in held) && held.inside === '') return { error: `lifeboat.password-file=${text}: ${givePlace}` };
    if (held === undefined || 'error' in held || text.endsWith('/')) return { error: `lifeboat.password-file=${text}: name a file in the partition, as LABEL=KEYS:/restic.pass` };
    return { kind: 'partition', device: held.device, file: held.inside };
  }
  if (text.startsWith('/')) return { kind: 'path', path: text };
  return { error: `lifeboat.password-file=${text}: ${givePlace}` };
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
  let passwordFile: AutorunPlan['passwordFile'];
  if (p.passwordFile !== undefined) {
    if (store.kind !== 'restic') return { error: `lifeboat.password-file=${p.passwordFile}: only a restic: store has a password (lifeboat.store=${p.store})` };
    const place = parsePasswordPlace(p.passwordFile);
    if ('error' in place) return place;
    passwordFile = { text: p.passwordFile, place };
  } else if (store.kind === 'restic' && store.password === undefined) {
    return { error: `lifeboat.store=${p.store} needs lifeboat.password-file= (where the repository's password is: the password itself never goes on the command line)` };
  }
  // A repository's image is a snapshot: the newest by default.
  const image = p.image ?? (store.kind === 'restic' && p.job !== 'backup' ? 'latest' : undefined);
  const plan = { storeText: p.store, store, disk: p.disk, image, after, rescue, passwordFile } as const;
  switch (p.job) {
    case 'backup':
      if (!p.disk) return { error: 'lifeboat.job=backup needs lifeboat.disk=' };
      return { job: 'backup', ...plan };
    case 'restore':
    case 'repair-boot':
      if (!p.disk || !plan.image) return { error: `lifeboat.job=${p.job} needs lifeboat.disk= and lifeboat.image=` };
      return { job: p.job, ...plan };
    case 'verify':
      if (!plan.image) return { error: 'lifeboat.job=verify needs lifeboat.image=' };
      return { job: 'verify', ...plan };
    default:
      return { error: `lifeboat.job=${p.job}: use backup, restore, repair-boot or verify` };
  }
}

/** The job as the equivalent lifeboat command, for the consoles and the log. */
export function describeAutorun(plan: AutorunPlan): string {
  const restic = plan.store.kind === 'restic';
  // A repository's image is a snapshot (#ID, latest by default); a backup into one names no image of its own.
  const image = restic
    ? `${plan.storeText}${plan.job === 'backup' ? '' : `#${plan.image ?? 'latest'}`}`
    : `${plan.storeText.replace(/\/+$/, '')}${plan.storeText.includes(':/') ? '' : ':'}/${plan.image ?? '<disk>-<date>'}`;
  const pw = plan.passwordFile ? ` --password-file ${plan.passwordFile.text}` : '';
  switch (plan.job) {
    case 'backup':
      return `lifeboat backup ${plan.disk} ${image}${plan.rescue ? ' --rescue' : ''}${pw}`;
    case 'restore':
      return `lifeboat restore ${image} ${plan.disk} --yes${pw}`;
    case 'repair-boot':
      return `lifeboat restore ${image} ${plan.disk} --boot-only --yes${pw}`;
    case 'verify':
      return `lifeboat verify ${image}${pw}`;
  }
}

/** The password file's text (its first line, as restic reads a password file); a partition is mounted read-only for it. */
export async function readPasswordPlace(runner: Runner, place: PasswordPlace): Promise<string> {
  const read = async (file: string) => {
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new NotFoundError(`the password file ${place.kind === 'path' ? place.path : `${place.device}:/${place.file}`} cannot be read (${e.code ?? e.message})`, 'put the repository password in that file, or fix lifeboat.password-file=');
    });
    return text.split('\n')[0]!.replace(/\r$/, '');
  };
  if (place.kind === 'path') return read(place.path);
  return withStore(runner, { kind: 'partition', device: place.device, folder: '' }, 'read', (s) => read(path.join(s.root, place.file)));
}

/** Where the job's log goes: the store, or for a repository in a partition the folder that holds the repository. */
function logStore(store: StoreRef): StoreRef {
  if (store.kind === 'restic' && store.on) return { kind: 'partition', device: store.on.device, folder: path.posix.dirname(`/${store.on.folder}`) };
  return store;
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
  let store = plan.store;
  try {
    if (plan.passwordFile && store.kind === 'restic') store = { ...store, password: { text: await readPasswordPlace(runner, plan.passwordFile.place) } };
    switch (plan.job) {
      case 'backup': {
        const r = await backupJob(runner, { disk: plan.disk!, store, name: plan.image, codec: codecs.zstd, rescue: plan.rescue, onEvent, ...(signal ? { signal } : {}), ...(o.now ? { now: o.now } : {}) });
        image = r.image;
        const unreadable = r.manifest?.state === 'complete-with-unreadable-sectors';
        message = `saved ${r.plan.disk.device} to ${r.image}${unreadable ? ', with unreadable sectors (the image lists them; `lifeboat info` shows them)' : ''}`;
        break;
      }
      case 'restore':
      case 'repair-boot': {
        const job = plan.job === 'restore' ? restoreJob : repairBootJob;
        const r = await job(runner, { store, image: plan.image!, disk: plan.disk!, bootOnly: false, grow: false, confirm: async () => true, onEvent, ...(signal ? { signal } : {}) });
        message = `${plan.job === 'restore' ? 'restored' : 'repaired the boot records of'} ${r.device} from ${plan.image}`;
        break;
      }
      case 'verify': {
        const r = await verifyJob(runner, { store, image: plan.image!, onEvent, ...(signal ? { signal } : {}) });
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
    written = { file: await log.writeTo(runner, logStore(plan.store)) };
  } catch (e) {
    written = { error: (e as Error).message };
  }
  return { ok: exitCode === 0, exitCode, message, image, log: written };
}

// A schedule: what is imaged (a disk, by the identity it had when the schedule was made), where to (a store or a
// repository), when (systemd's OnCalendar), with which retention, how (snapshot: the running system's disks as they
// can be read consistently; offline: at the next reboot into Lifeboat) and what to call when a run fails.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError, UsageError } from '../../core/errors.js';
import type { SchedulePaths } from './paths.js';
import type { RetentionPolicy } from '../repository/forget.js';
import type { RunningReadInput } from '../running/options.js';

export type ScheduleMode = 'snapshot' | 'offline';

/** A repository's retention after each run (restic's keep rules, per disk). */
export type Retention = RetentionPolicy;

export interface Schedule {
  name: string;
  /** The disk as runs open it: its stable /dev/disk/by-id/ link where it has one, else the path given. */
  disk: string;
  /** The disk's identity when the schedule was made (wwn, serial, id or backing file): a run onto another disk refuses. */
  diskIdentity: string;
  /** The store or repository, in the CLI's words (a folder, LABEL=…:/dir, ssh://…, restic:…). */
  to: string;
  /** The time in the words given (daily 02:00), and systemd's normalized OnCalendar of it. */
  at: string;
  onCalendar: string;
  mode: ScheduleMode;
  keep?: Retention;
  /** snapshot mode: how mounted filesystems are read and the hooks around the reads (backup's --freeze, --pre, --post). */
  running?: RunningReadInput;
  /** A shell command run when a run fails (LIFEBOAT_SCHEDULE, LIFEBOAT_EXIT_CODE, LIFEBOAT_MESSAGE in its environment). */
  onFailure?: string;
  /** The store's credentials by place: a repository's password file, an SSH key and pinned known_hosts. */
  passwordFile?: string;
  sshKey?: string;
  knownHosts?: string;
  created: string;
}

const nameRule = /^[a-z0-9][a-z0-9-]{0,39}$/;

export function checkName(name: string): string {
  if (!nameRule.test(name)) throw new UsageError(`schedule name '${name}': use lower-case letters, digits and - (at most 40), e.g. laptop-nightly`);
  return name;
}

function file(paths: SchedulePaths, name: string): string {
  return path.join(paths.definitions, `${checkName(name)}.json`);
}

export async function readSchedule(paths: SchedulePaths, name: string): Promise<Schedule> {
  const text = await readFile(file(paths, name), 'utf8').catch(() => undefined);
  if (text === undefined) throw new NotFoundError(`no schedule ${name}`, 'lifeboat schedule list shows them');
  return JSON.parse(text) as Schedule;
}

export async function listSchedules(paths: SchedulePaths): Promise<Schedule[]> {
  const names = (await readdir(paths.definitions).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(names.map((n) => readSchedule(paths, n.slice(0, -5))));
}

/** Writes the definition whole or not at all (a temporary file renamed over it); root-only, it names credentials' places. */
export async function writeSchedule(paths: SchedulePaths, s: Schedule): Promise<void> {
  await mkdir(paths.definitions, { recursive: true, mode: 0o700 });
  const to = file(paths, s.name);
  await writeFile(`${to}.tmp`, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  await rename(`${to}.tmp`, to);
}

// Adding and removing a schedule on the protected machine: the definition, the two units, and systemd told of them
// (enabled and started where systemd runs; enabled offline, for its next boot, in a prepared tree or without it).
import { access, rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { RefusedError, UsageError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { probeDisk } from '../disks/probe.js';
import { resolveDisk } from '../disks/resolve.js';
import { diskIdentity } from '../repository/snapshots.js';
import { parseStoreRef } from '../store/open.js';
import { checkCalendar } from './calendar.js';
import { checkName, listSchedules, readSchedule, writeSchedule, type Retention, type Schedule, type ScheduleMode } from './definition.js';
import { readHistory, type HistoryEntry } from './history.js';
import { unitNames, type SchedulePaths } from './paths.js';
import { serviceUnit, timerUnit, type LifeboatCommand } from './units.js';
import { runningReadOptions, type RunningReadInput } from '../running/options.js';

export interface AddRequest {
  name: string;
  disk: string;
  to: string;
  at: string;
  mode: ScheduleMode;
  keep?: Retention | undefined;
  onFailure?: string | undefined;
  /** --freeze, --pre, --post and their limits, checked here and kept as given. */
  running?: RunningReadInput | undefined;
  passwordFile?: string | undefined;
  sshKey?: string | undefined;
  knownHosts?: string | undefined;
}

/** Whether systemd runs this system (sd_booted's test), and the tree is this system's own. */
async function systemdRuns(paths: SchedulePaths): Promise<boolean> {
  return paths.root === '/' && (await access('/run/systemd/system').then(() => true, () => false));
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}

export async function addSchedule(runner: Runner, req: AddRequest, o: { paths: SchedulePaths; command: LifeboatCommand; now?: Date }): Promise<{ schedule: Schedule; next: string | undefined; started: boolean }> {
  const name = checkName(req.name);
  if (req.mode === 'offline') throw new UsageError('--mode offline (imaging at the next reboot into Lifeboat) is not built yet', 'use --mode snapshot for disks whose partitions are not mounted, or image the system disk from the Lifeboat stick');
  const running = runningReadOptions(req.running ?? {});
  const store = parseStoreRef(req.to, { passwordFile: req.passwordFile, sshKey: req.sshKey, knownHosts: req.knownHosts });
  const keeps = req.keep && Object.values(req.keep).some((n) => n !== undefined);
  if (keeps && store.kind !== 'restic') throw new UsageError('--keep-daily/-weekly/-monthly/-last need an image repository (--to restic:…)', 'a folder store keeps every image; remove old ones by hand');
  if (store.kind === 'restic' && !req.passwordFile) throw new UsageError(`--to ${req.to}: a scheduled run has nobody to ask for the password`, 'give --password-file FILE (root-only, 0600)');
  if (await exists(path.join(o.paths.definitions, `${name}.json`))) throw new RefusedError(`schedule ${name} exists already`, `lifeboat schedule remove ${name} first, or choose another name`);
  const resolved = await resolveDisk(req.disk);
  const disk = await probeDisk(runner, resolved.device);
  const stable = disk.ids.find((i) => i.startsWith('/dev/disk/by-id/') && !/\/(wwn-|nvme-eui)/.test(i)) ?? disk.ids.find((i) => i.startsWith('/dev/disk/by-id/'));
  const { onCalendar, next } = await checkCalendar(runner, req.at, o.now);
  const schedule: Schedule = {
    name,
    disk: stable ?? req.disk,
    diskIdentity: diskIdentity(disk),
    to: req.to,
    at: req.at,
    onCalendar,
    mode: req.mode,
    ...(keeps ? { keep: req.keep } : {}),
    ...(running ? { running: Object.fromEntries(Object.entries(req.running!).filter(([, v]) => v !== undefined && v !== false)) as RunningReadInput } : {}),
    ...(req.onFailure ? { onFailure: req.onFailure } : {}),
    ...(req.passwordFile ? { passwordFile: path.resolve(req.passwordFile) } : {}),
    ...(req.sshKey ? { sshKey: path.resolve(req.sshKey) } : {}),
    ...(req.knownHosts ? { knownHosts: path.resolve(req.knownHosts) } : {}),
    created: (o.now ?? new Date()).toISOString(),
  };
  const units = unitNames(name);
  await mkdir(o.paths.units, { recursive: true });
  await writeSchedule(o.paths, schedule);
  await writeFile(path.join(o.paths.units, units.service), serviceUnit(schedule, o.command));
  await writeFile(path.join(o.paths.units, units.timer), timerUnit(schedule));
  const live = await systemdRuns(o.paths);
  if (live) {
    await runner.run('systemctl', ['daemon-reload']);
    await runner.run('systemctl', ['enable', '--now', units.timer]);
  } else {
    await runner.run('systemctl', [`--root=${o.paths.root}`, 'enable', units.timer]);
  }
  return { schedule, next, started: live };
}

export async function removeSchedule(runner: Runner, name: string, o: { paths: SchedulePaths }): Promise<Schedule> {
  const schedule = await readSchedule(o.paths, name);
  const units = unitNames(schedule.name);
  if (await systemdRuns(o.paths)) {
    await runner.run('systemctl', ['disable', '--now', units.timer]);
  } else {
    await runner.run('systemctl', [`--root=${o.paths.root}`, 'disable', units.timer]);
  }
  for (const u of [units.timer, units.service]) await rm(path.join(o.paths.units, u), { force: true });
  if (await systemdRuns(o.paths)) await runner.run('systemctl', ['daemon-reload']);
  await rm(path.join(o.paths.definitions, `${schedule.name}.json`), { force: true });
  return schedule;
}

export interface ListedSchedule {
  schedule: Schedule;
  next: string | undefined;
  last: HistoryEntry | undefined;
}

export async function listScheduled(runner: Runner, o: { paths: SchedulePaths; now?: Date }): Promise<ListedSchedule[]> {
  const out: ListedSchedule[] = [];
  for (const s of await listSchedules(o.paths)) {
    const { next } = await checkCalendar(runner, s.onCalendar, o.now);
    out.push({ schedule: s, next, last: (await readHistory(o.paths, s.name)).at(-1) });
  }
  return out;
}

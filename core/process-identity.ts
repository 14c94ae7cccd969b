// Which process a pid names, over time: a pid alone is reused (and in a container every run's first process is pid 1),
// so a record of "process P owns this" keeps P's start time too, and P counts as alive only while a process with that
// pid has that start time. Used by the job locks and by the builder's cache for its partial directories.
import { readFileSync } from 'node:fs';

/** Field 22 of /proc/PID/stat: the start time in clock ticks after the host's boot; undefined when there is none. */
export function processStartTicks(pid: number): number | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** "PID-TICKS" of this process: a name that no other process, now or later, has. */
export function processStamp(pid = process.pid): string {
  return `${pid}-${processStartTicks(pid) ?? 0}`;
}

/** Whether the process a stamp names still runs (the same pid with the same start time). */
export function stampAlive(stamp: string): boolean {
  const m = /^(\d+)-(\d+)$/.exec(stamp);
  return m !== null && processStartTicks(Number(m[1])) === Number(m[2]);
}

/** Whether a process with this id runs (a stale lock or partial directory names a dead one). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

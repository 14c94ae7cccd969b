// Where schedules live on the protected machine: their definitions, systemd's units, and each one's history. A root
// prefix (LIFEBOAT_ROOT, for tests and for preparing another system's tree) moves all three.
import path from 'node:path';

export interface SchedulePaths {
  root: string;
  /** One JSON file per schedule (NAME.json). */
  definitions: string;
  /** systemd's folder for administrator units (lifeboat-NAME.timer, lifeboat-NAME.service). */
  units: string;
  /** One JSON Lines file per schedule (NAME.history.jsonl): every run's outcome, kept after the schedule is removed. */
  history: string;
}

export function schedulePaths(root: string = process.env['LIFEBOAT_ROOT'] ?? ''): SchedulePaths {
  const r = root === '' ? '/' : path.resolve(root);
  return { root: r, definitions: path.join(r, 'etc/lifeboat/schedules'), units: path.join(r, 'etc/systemd/system'), history: path.join(r, 'var/lib/lifeboat/schedules') };
}

/** A schedule's unit names. */
export function unitNames(name: string): { timer: string; service: string } {
  return { timer: `lifeboat-${name}.timer`, service: `lifeboat-${name}.service` };
}

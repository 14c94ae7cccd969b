// The systemd units of a schedule: a timer (OnCalendar, Persistent=true, so a run missed while the machine was off
// or asleep happens at its next start) and the oneshot service it starts, which runs `lifeboat schedule run NAME`
// at low CPU and I/O priority. Its output goes to the journal; the run writes the history itself.
import type { Schedule } from './definition.js';
import { unitNames } from './paths.js';

/** The command line of the service: this very Node and Lifeboat, by absolute path. */
export interface LifeboatCommand {
  node: string;
  script: string;
}

/** systemd's quoting for an ExecStart word (spaces and specials in double quotes, % doubled as a specifier escape). */
function word(w: string): string {
  const e = w.replace(/%/g, '%%');
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(e) ? e : `"${e.replace(/(["\\])/g, '\\$1')}"`;
}

export function serviceUnit(s: Schedule, cmd: LifeboatCommand): string {
  return [
    '[Unit]',
    `Description=Lifeboat: image of ${s.disk} to ${s.to} (schedule ${s.name})`,
    'Documentation=man:systemd.timer(5)',
    'Wants=network-online.target',
    'After=network-online.target local-fs.target',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${[cmd.node, cmd.script, 'schedule', 'run', s.name].map(word).join(' ')}`,
    'Nice=10',
    'IOSchedulingClass=best-effort',
    'IOSchedulingPriority=7',
    '',
  ].join('\n');
}

export function timerUnit(s: Schedule): string {
  return [
    '[Unit]',
    `Description=Lifeboat schedule ${s.name}: ${s.disk} ${s.at}`,
    '',
    '[Timer]',
    `OnCalendar=${s.onCalendar}`,
    'Persistent=true',
    `Unit=${unitNames(s.name).service}`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

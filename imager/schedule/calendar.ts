// A schedule's time in words (daily 02:00, weekly Sun 03:30, monthly 1 04:00, hourly) as systemd's OnCalendar
// expression, checked by systemd itself (systemd-analyze calendar), which also says when it next fires. Any
// expression systemd takes is taken as it is (Mon..Fri 22:30).
import { UsageError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';

const day = '(Mon|Tue|Wed|Thu|Fri|Sat|Sun)';

/** The OnCalendar expression for the words, or the words themselves (systemd's own syntax). */
export function onCalendarOf(at: string): string {
  const t = at.trim().replace(/\s+/g, ' ');
  const time = (hm: string) => `${hm.length === 4 ? `0${hm}` : hm}:00`;
  let m: RegExpExecArray | null;
  if ((m = /^daily (\d{1,2}:\d{2})$/i.exec(t))) return `*-*-* ${time(m[1]!)}`;
  if ((m = new RegExp(`^weekly (${day}(?:,${day})*) (\\d{1,2}:\\d{2})$`, 'i').exec(t))) return `${m[1]} *-*-* ${time(m[m.length - 1]!)}`;
  if ((m = /^monthly (\d{1,2}) (\d{1,2}:\d{2})$/i.exec(t))) return `*-*-${m[1]!.padStart(2, '0')} ${time(m[2]!)}`;
  return t;
}

/** systemd-analyze calendar's verdict: the normalized expression and the next time it fires (ISO), or a usage error. */
export async function checkCalendar(runner: Runner, at: string, now?: Date): Promise<{ onCalendar: string; next: string | undefined }> {
  const expr = onCalendarOf(at);
  const r = await runner.run('systemd-analyze', ['calendar', '--iterations=1', ...(now ? [`--base-time=@${Math.floor(now.getTime() / 1000)}`] : []), expr], { okExitCodes: [1], env: { LC_ALL: 'C', TZ: process.env['TZ'] ?? '' } }).catch(() => undefined);
  const normalized = r && r.exitCode === 0 ? /Normalized form: (.+)/.exec(r.stdout)?.[1]?.trim() : undefined;
  if (!normalized) throw new UsageError(`--at "${at}": not a time systemd can run a job at`, 'write it as "daily 02:00", "weekly Sun 03:30", "monthly 1 04:00", "hourly", or a systemd OnCalendar expression (man systemd.time)');
  const next = /Next elapse: .*\(in UTC: ([^)]+)\)|Next elapse: (.+)/.exec(r!.stdout);
  return { onCalendar: normalized, next: parseElapse(next?.[1] ?? next?.[2]) };
}

/** systemd's "Wed 2026-12-02 02:00:00 UTC" as an ISO time; undefined when it says never. */
export function parseElapse(text: string | undefined): string | undefined {
  const m = text ? /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC/.exec(text) : null;
  return m ? `${m[1]}T${m[2]}Z` : undefined;
}

// The targets as data: a measured value against a limit, met or missed and by how much. Pure.

export type Unit = 'ratio' | 's' | 'bytes' | 'MiB';

export interface TargetResult {
  id: string;
  section: string;
  /** The target in words ("Lifeboat backup ≤ 1.05 × hand pipeline"). */
  what: string;
  unit: Unit;
  limit: number;
  /** null: not measured (then `note` says why). */
  measured: number | null;
  pass: boolean | null;
  /** measured − limit, in the unit (positive on a miss). */
  over: number | null;
  /** measured / limit − 1 (positive on a miss). */
  overShare: number | null;
  note?: string;
}

/** Judges a value that must be at most `limit`; a measured value that is not finite (nothing worked) misses, with `note`. */
export function atMost(section: string, id: string, what: string, unit: Unit, measured: number, limit: number, note?: string): TargetResult {
  const pass = Number.isFinite(measured) && measured <= limit;
  return { id, section, what, unit, limit, measured, pass, over: measured - limit, overShare: measured / limit - 1, ...(note ? { note } : {}) };
}

/** A target this run did not measure, and why: a row of structure, not a result. */
export function notMeasured(section: string, id: string, what: string, unit: Unit, limit: number, note: string): TargetResult {
  return { id, section, what, unit, limit, measured: null, pass: null, over: null, overShare: null, note };
}

export function fmtPct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}

export function fmtValue(unit: Unit, v: number): string {
  if (!Number.isFinite(v)) return '-';
  switch (unit) {
    case 'ratio':
      return v.toFixed(3);
    case 's':
      return `${v.toFixed(1)} s`;
    case 'bytes':
      return `${(v / 1e6).toFixed(1)} MB`;
    case 'MiB':
      return `${v.toFixed(0)} MiB`;
  }
}

/** "PASS", "MISS by 0.157 (+15.0%)", or "not measured: …". */
export function verdict(t: TargetResult): string {
  if (t.measured === null || t.pass === null) return `not measured: ${t.note ?? 'skipped'}`;
  if (t.pass) return 'PASS';
  if (!Number.isFinite(t.measured)) return `MISS (${t.note ?? 'no value'})`;
  const by = t.unit === 'ratio' ? `${((t.over ?? 0) * 100).toFixed(1)} points` : fmtValue(t.unit, t.over ?? 0);
  return `MISS by ${by} (${fmtPct(t.overShare ?? 0)} over the limit)`;
}

/** One line per target: what, measured, limit, verdict. */
export function targetLines(ts: TargetResult[]): string[] {
  const w = Math.max(20, ...ts.map((t) => t.what.length));
  return ts.map((t) => `  ${t.what.padEnd(w)}  ${(t.measured === null ? '-' : fmtValue(t.unit, t.measured)).padStart(10)}  limit ${fmtValue(t.unit, t.limit).padStart(9)}  ${verdict(t)}`);
}

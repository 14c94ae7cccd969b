// A schedule's history: one JSON line per run (started, finished, the outcome in one line, the image, the exit
// code), appended by the run itself, read by `schedule list` and `schedule history`.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SchedulePaths } from './paths.js';

export interface HistoryEntry {
  schedule: string;
  started: string;
  finished: string;
  ok: boolean;
  exitCode: number;
  /** The outcome in one line (the same line the journal gets). */
  message: string;
  /** The image in the store's words, when one was made. */
  image?: string;
  /** What the image added to a repository (deduplicated), where the store says. */
  addedBytes?: number;
  /** The --on-failure command's outcome, when it ran. */
  onFailure?: string;
}

export function historyFile(paths: SchedulePaths, name: string): string {
  return path.join(paths.history, `${name}.history.jsonl`);
}

export async function appendHistory(paths: SchedulePaths, e: HistoryEntry): Promise<void> {
  await mkdir(paths.history, { recursive: true });
  await appendFile(historyFile(paths, e.schedule), `${JSON.stringify(e)}\n`);
}

/** The runs, oldest first; a line that is not an entry (a run killed mid-write) is skipped. */
export async function readHistory(paths: SchedulePaths, name: string): Promise<HistoryEntry[]> {
  const text = await readFile(historyFile(paths, name), 'utf8').catch(() => '');
  return text.split('\n').flatMap((l) => {
    try {
      const e = JSON.parse(l) as HistoryEntry;
      return typeof e === 'object' && e && typeof e.started === 'string' ? [e] : [];
    } catch {
      return [];
    }
  });
}

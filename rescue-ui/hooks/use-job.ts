// Runs one backend job (backup, restore, verify): its live progress from the library's events, its outcome or
// error, and an abort; while it runs it is the app's running job, so quitting asks first.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ImagerEvent, JobHooks } from '../backend/port.js';
import { LifeboatError } from '../../core/errors.js';
import { useJobs } from './use-jobs.js';

export interface Progress {
  phase: string; // backup, restore, verify
  step: string | undefined;
  partition: string | undefined;
  partitionPercent: number;
  overallPercent: number;
  bytesPerSecond: number | undefined;
  etaSeconds: number | undefined;
  done: { partition: string; bytes: number; seconds: number }[];
}

export type JobState<T> =
  | { state: 'idle' }
  | { state: 'running'; progress: Progress }
  | { state: 'done'; value: T; progress: Progress }
  | { state: 'failed'; error: Error; progress: Progress; aborted: boolean };

const fresh = (phase: string): Progress => ({ phase, step: undefined, partition: undefined, partitionPercent: 0, overallPercent: 0, bytesPerSecond: undefined, etaSeconds: undefined, done: [] });

/** Folds one library event into the progress a screen draws. */
export function applyEvent(p: Progress, e: ImagerEvent): Progress {
  switch (e.type) {
    case 'start':
      return { ...fresh(e.job), done: e.job === p.phase ? p.done : [] };
    case 'step':
      return { ...p, step: e.message };
    case 'warning':
      return { ...p, step: `warning: ${e.message}` };
    case 'progress':
      return { ...p, partition: e.partition, partitionPercent: e.percent, overallPercent: e.overallPercent, bytesPerSecond: e.bytesPerSecond ?? p.bytesPerSecond, etaSeconds: e.etaSeconds };
    case 'partition-done':
      return { ...p, partitionPercent: 100, done: [...p.done, { partition: e.partition, bytes: e.bytes, seconds: e.seconds }] };
    case 'done':
      return { ...p, overallPercent: 100, partitionPercent: 100, etaSeconds: 0 };
    default:
      return p;
  }
}

export function useJob<T>(what: string, phase: string, run: (hooks: JobHooks) => Promise<T>): { job: JobState<T>; start: () => void; abort: () => void } {
  const jobs = useJobs();
  const [job, setJob] = useState<JobState<T>>({ state: 'idle' });
  const controller = useRef<AbortController | undefined>(undefined);
  const abort = useCallback(() => controller.current?.abort(), []);
  const start = useCallback(() => {
    const c = new AbortController();
    controller.current = c;
    let progress = fresh(phase);
    setJob({ state: 'running', progress });
    jobs.setRunning({ what, abort: () => c.abort() });
    const onEvent = (e: ImagerEvent) => {
      progress = applyEvent(progress, e);
      setJob((j) => (j.state === 'running' ? { state: 'running', progress } : j));
    };
    run({ onEvent, signal: c.signal }).then(
      (value) => setJob({ state: 'done', value, progress }),
      // Stopped by this screen, or by the library's own stop (a signal to the process): either way "stopped", no verdict.
      (error: unknown) => setJob({ state: 'failed', error: error instanceof Error ? error : new Error(String(error)), progress, aborted: c.signal.aborted || (error instanceof LifeboatError && error.kind === 'interrupted') }),
    ).finally(() => jobs.setRunning(undefined));
  }, [what, phase, run]);
  // Leaving the screen while a job runs is not possible (Esc asks); an unmount (quit) still stops it.
  useEffect(() => () => controller.current?.abort(), []);
  return { job, start, abort };
}

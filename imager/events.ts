// The typed events a job emits: the CLI prints them (bar or JSON Lines), the UI draws them. The library never prints.

export type JobKind = 'backup' | 'restore' | 'verify' | 'clone' | 'forget' | 'export';

export type ImagerEvent =
  | { type: 'start'; job: JobKind; device: string; image: string; partitions: number; totalBytes: number }
  | { type: 'step'; job: JobKind; message: string }
  /** Something the job could not do that leaves its result whole (a system's configuration not kept). */
  | { type: 'warning'; job: JobKind; message: string }
  | {
      type: 'progress';
      job: JobKind;
      partition: string;
      percent: number; // of this partition
      overallPercent: number;
      bytesPerSecond: number | undefined;
      etaSeconds: number | undefined;
    }
  | { type: 'partition-done'; job: JobKind; partition: string; bytes: number; seconds: number }
  | { type: 'done'; job: JobKind; image: string; device: string; seconds: number; bytes: number }
  | { type: 'error'; job: JobKind; message: string; kind: string; file?: string };

export type EventSink = (e: ImagerEvent) => void;

/** Turns partclone's per-partition percentages into overall progress, weighted by each partition's bytes. */
export class ProgressTracker {
  private done = 0;
  private readonly started = Date.now();
  constructor(private readonly total: number) {}

  overall(currentWeight: number, percent: number): number {
    if (this.total <= 0) return 100;
    return Math.min(100, ((this.done + (currentWeight * percent) / 100) / this.total) * 100);
  }

  finish(weight: number): void {
    this.done += weight;
  }

  eta(overallPercent: number): number | undefined {
    if (overallPercent <= 0) return undefined;
    const elapsed = (Date.now() - this.started) / 1000;
    return Math.max(0, (elapsed * (100 - overallPercent)) / overallPercent);
  }
}

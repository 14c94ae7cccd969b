// Overlaps partitions: the next one starts once this one's data is through, not when its tools exit.
//
// partclone (restore, chkimg) ends only on its progress thread's next tick, up to a second after its data is through,
// then syncs; per partition that second would otherwise be the whole cost of a small one. The scheduler starts a task,
// lets the caller go on once the task says its data is through (or the task settles), and keeps the rest running; a
// barrier (settle) waits for every task still running and reports their results in the order they were started.

/** One partition's work: resolves with its result when done, and calls through() once its data is through. */
export type OverlapTask<T> = (through: () => void) => Promise<T>;

export interface Scheduler<T> {
  /**
   * Starts the task and resolves once its data is through or it settled, whichever comes first. A failure before the
   * data is through rejects here (the caller stops at once); a failure after it is reported by the next settle().
   */
  start(task: OverlapTask<T>): Promise<void>;
  /** Waits for every task still running; resolves with their results in start order, or rejects with the first failure in that order. */
  settle(): Promise<T[]>;
  /** Waits for every task still running, ignoring their outcome: after a failure, nothing of the job still runs. */
  drain(): Promise<void>;
}

export function createScheduler<T>(): Scheduler<T> {
  let running: Promise<T>[] = [];
  return {
    async start(task) {
      let through!: () => void;
      const isThrough = new Promise<void>((resolve) => (through = resolve));
      const run = Promise.resolve().then(() => task(through));
      running.push(run);
      run.catch(() => undefined); // reported by start (before through) or settle (after), never as unhandled
      await Promise.race([isThrough, run.then(() => undefined)]);
    },
    async settle() {
      const batch = running;
      running = [];
      const results = await Promise.allSettled(batch);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      return results.map((r) => (r as PromiseFulfilledResult<T>).value);
    },
    async drain() {
      const batch = running;
      running = [];
      await Promise.allSettled(batch);
    },
  };
}

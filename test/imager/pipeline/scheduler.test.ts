// The partition scheduler's ordering, with fake tasks: the next starts once the previous one's data is through.
import test from 'ava';
import { createScheduler, type OverlapTask } from '../../../imager/pipeline/scheduler.js';

/** A task whose through and end the test triggers by hand; it records when it started. */
function handTask(name: string, log: string[]) {
  let through!: () => void;
  let resolve!: (v: string) => void;
  let reject!: (e: unknown) => void;
  const task: OverlapTask<string> = (t) => {
    log.push(`start ${name}`);
    through = t;
    return new Promise<string>((res, rej) => {
      resolve = res;
      reject = rej;
    });
  };
  return { task, through: () => through(), end: () => resolve(name), fail: (e: unknown) => reject(e) };
}

/** Lets every queued promise callback run. */
const tick = () => new Promise((r) => setImmediate(r));

test('the next task starts once the previous one is through, while the previous one still runs; settle gives results in start order', async (t) => {
  const log: string[] = [];
  const s = createScheduler<string>();
  const a = handTask('a', log);
  const b = handTask('b', log);
  let aStarted = false;
  const startA = s.start(a.task).then(() => (aStarted = true));
  await tick();
  t.deepEqual(log, ['start a']);
  t.false(aStarted, 'start waits while the data is not through');
  a.through();
  await startA;
  const startB = s.start(b.task);
  await tick();
  t.deepEqual(log, ['start a', 'start b'], 'b starts while a still runs');
  b.through();
  await startB;
  let settled: string[] | undefined;
  const settling = s.settle().then((r) => (settled = r));
  b.end(); // b ends first
  await tick();
  t.is(settled, undefined, 'settle waits for every running task');
  a.end();
  await settling;
  t.deepEqual(settled, ['a', 'b'], 'in start order, not end order');
});

test('a task that ends without saying its data is through lets the next one start', async (t) => {
  const s = createScheduler<string>();
  await s.start(async () => 'quick');
  t.deepEqual(await s.settle(), ['quick']);
});

test('a failure before the data is through rejects start: the job stops there', async (t) => {
  const log: string[] = [];
  const s = createScheduler<string>();
  const a = handTask('a', log);
  const started = s.start(a.task);
  await tick();
  a.fail(new Error('partclone: bad superblock'));
  await t.throwsAsync(started, { message: 'partclone: bad superblock' });
  await s.drain();
});

test('a failure after the data is through is reported by settle, the first in start order', async (t) => {
  const log: string[] = [];
  const s = createScheduler<string>();
  const a = handTask('a', log);
  const b = handTask('b', log);
  const startA = s.start(a.task);
  await tick();
  a.through();
  await startA;
  const startB = s.start(b.task);
  await tick();
  b.through();
  await startB;
  b.fail(new Error('b: sync failed'));
  a.fail(new Error('a: sync failed'));
  await t.throwsAsync(s.settle(), { message: 'a: sync failed' });
  t.deepEqual(await s.settle(), [], 'a settle clears the batch');
});

test('drain waits for every running task and ignores how they ended', async (t) => {
  const log: string[] = [];
  const s = createScheduler<string>();
  const a = handTask('a', log);
  const startA = s.start(a.task);
  await tick();
  a.through();
  await startA;
  let drained = false;
  const draining = s.drain().then(() => (drained = true));
  await tick();
  t.false(drained);
  a.fail(new Error('late'));
  await draining;
  t.true(drained);
});

// The driver: steps in order, skipped by their own config check, timed, failures reported and rethrown.
import test from 'ava';
import type { BuildContext } from '../../builder/context.js';
import { runSteps, type Step } from '../../builder/driver.js';
import type { BuildEvent } from '../../builder/events.js';
import { InterruptedError } from '../../core/errors.js';
import { Runner } from '../../core/runner/run.js';
import { validateIsoConfig } from '../../iso-config/load.js';

function fakeContext(events: BuildEvent[], signal?: AbortSignal): BuildContext {
  return {
    config: validateIsoConfig({}),
    paths: { app: '/a', cache: '/c', work: '/w', root: '/w/root', staging: '/w/iso', out: '/o', iso: '/o/x.iso' },
    runner: new Runner(),
    options: { refresh: false, sourceDateEpoch: undefined, jobs: 1 },
    version: '0.0.0',
    signal,
    emit: (e) => events.push(e),
    stage: '',
    state: { written: [] },
  };
}

/** A clock that advances 1.5 s per reading. */
function clock(): () => number {
  let t = 0;
  return () => (t += 1500);
}

test('runs in order, skips from config, times each stage, passes notes through', async (t) => {
  const ran: string[] = [];
  const steps: Step[] = [
    { name: 'first step', run: async () => void ran.push('first') },
    { name: 'ssh step', skip: (c) => (c.ssh.enabled ? undefined : 'ssh is off'), run: async () => void ran.push('ssh') },
    {
      name: 'last step',
      run: async (ctx) => {
        ran.push(`last in ${ctx.stage}`);
        return 'a note';
      },
    },
  ];
  const events: BuildEvent[] = [];
  const timings = await runSteps(steps, fakeContext(events), clock());
  t.deepEqual(ran, ['first', 'last in last step']);
  t.deepEqual(events, [
    { type: 'stage-start', stage: 'first step', index: 1, total: 3 },
    { type: 'stage-done', stage: 'first step', index: 1, total: 3, seconds: 1.5 },
    { type: 'stage-skipped', stage: 'ssh step', index: 2, total: 3, reason: 'ssh is off' },
    { type: 'stage-start', stage: 'last step', index: 3, total: 3 },
    { type: 'stage-done', stage: 'last step', index: 3, total: 3, seconds: 1.5, note: 'a note' },
  ]);
  t.deepEqual(timings, [
    { stage: 'first step', seconds: 1.5, skipped: false },
    { stage: 'ssh step', seconds: 0, skipped: true },
    { stage: 'last step', seconds: 1.5, skipped: false },
  ]);
});

test('a failing step is reported with its time, later steps do not run, the error comes through', async (t) => {
  const events: BuildEvent[] = [];
  const steps: Step[] = [
    {
      name: 'broken step',
      run: async () => {
        throw new Error('mksquashfs exited with code 1');
      },
    },
    { name: 'never', run: async () => t.fail() },
  ];
  await t.throwsAsync(runSteps(steps, fakeContext(events), clock()), { message: 'mksquashfs exited with code 1' });
  t.deepEqual(events.at(-1), { type: 'stage-failed', stage: 'broken step', index: 1, total: 2, seconds: 1.5, message: 'mksquashfs exited with code 1' });
});

test('an abort stops before the next step with InterruptedError', async (t) => {
  const controller = new AbortController();
  const steps: Step[] = [{ name: 'one', run: async () => controller.abort() }, { name: 'two', run: async () => t.fail() }];
  await t.throwsAsync(runSteps(steps, fakeContext([], controller.signal)), { instanceOf: InterruptedError, message: 'interrupted before two' });
});

// Component tests of the clone flow: the source, the target with sizes compared, the grow question on a larger
// target, the library's refusals (nothing runs), the typed confirmation, progress and what was written.
import test from 'ava';
import { FakeBackend, defaultClonePlan, fakeDisk } from './fake-backend.js';
import { keys, renderApp, type Harness } from './ui-harness.js';

const disks = [fakeDisk('/dev/sda', 1024, [{ n: 1, fs: 'ext4', mib: 1000 }]), fakeDisk('/dev/sdb', 2048, []), fakeDisk('/dev/sdc', 512, [])];

/** Clone a disk -> /dev/sda as the source: the list of targets. */
async function openTargets(ui: Harness): Promise<void> {
  await ui.waitFor('Power off');
  for (let i = 0; i < 4; i++) await ui.press(keys.down);
  await ui.press(keys.enter);
  await ui.waitFor('Which disk do you want to copy? It is only read.');
  await ui.waitFor('/dev/sda');
  await ui.press(keys.enter);
  await ui.waitFor('Copy /dev/sda onto which disk?');
}

test('a larger target: sizes compared, grow asked, the plan, the typed name, progress and what was written', async (t) => {
  const b = new FakeBackend({ disks });
  const ui = renderApp(b);
  await openTargets(ui);
  const targets = ui.text();
  t.regex(targets, /the source itself/);
  t.regex(targets, /big enough: 2\.0 GiB >= 1\.0 GiB/);
  t.regex(targets, /smaller: 512 MiB < 1\.0 GiB/);
  await ui.press(keys.down, keys.enter);
  await ui.waitFor('What should happen to the extra space?');
  await ui.press(keys.down, keys.enter);
  const plan = await ui.waitFor('Type sdb to go on');
  t.regex(plan, /- write the gpt partition table \(2 partitions, the last one grown\) to/);
  t.regex(plan, /- check the ext4 filesystem on \/dev\/sdb1/);
  t.true(b.calls.includes('planClone /dev/sda /dev/sdb grow'));
  await ui.type('sdb');
  await ui.press(keys.enter);
  await ui.waitFor('/dev/sda -> /dev/sdb');
  t.true(b.calls.includes('runClone /dev/sda /dev/sdb grow'));
  const job = b.jobs[0]!;
  job.emit({ type: 'start', job: 'clone', device: '/dev/sdb', image: '/dev/sda', partitions: 1, totalBytes: 100 });
  job.emit({ type: 'progress', job: 'clone', partition: 'sda1', percent: 50, overallPercent: 50, bytesPerSecond: 1e6, etaSeconds: 3 });
  await ui.waitFor('50.0%');
  job.resolve({ source: '/dev/sda', device: '/dev/sdb', seconds: 7, bytes: 100, steps: defaultClonePlan({ source: '/dev/sda', target: '/dev/sdb', grow: true }).steps });
  const end = await ui.waitFor('Clone complete');
  t.regex(end, /Clone complete: \/dev\/sda -> \/dev\/sdb in 0:07/);
  t.regex(end, /- copy \/dev\/sda1 to \/dev\/sdb1/);
  ui.unmount();
});

test('a refused target: the library\'s reasons, no confirmation, nothing runs', async (t) => {
  const b = new FakeBackend({
    disks,
    clonePlan: (req) => ({ ...defaultClonePlan(req), refusals: [{ code: 'same-disk', message: `${req.target} is the source disk ${req.source}` }] }),
  });
  const ui = renderApp(b);
  await openTargets(ui);
  await ui.press(keys.down, keys.down, keys.enter);
  const f = await ui.waitFor('REFUSED');
  t.regex(f, /REFUSED: \/dev\/sdc is the source disk \/dev\/sda/);
  t.regex(f, /Nothing was written/);
  t.notRegex(f, /Type sdc/);
  await ui.press(keys.enter);
  await ui.waitFor('Which disk do you want to copy?');
  t.false(b.calls.some((c) => c.startsWith('runClone')));
  ui.unmount();
});

test('a smaller target whose data would fit (needs-shrink): shrinking is offered, plans with shrink, shows the new layout, clones with it', async (t) => {
  const b = new FakeBackend({
    disks,
    clonePlan: (req) =>
      req.shrink
        ? { ...defaultClonePlan(req), layout: ['New layout (old size -> new size):', 'sda1 (ext4): 1000 MiB -> 480 MiB, e2fsck -f and resize2fs on a staging copy'] }
        : { ...defaultClonePlan(req), refusals: [{ code: 'needs-shrink', message: `${req.target} is smaller than ${req.source}` }] },
  });
  const ui = renderApp(b);
  await openTargets(ui);
  await ui.press(keys.down, keys.down, keys.enter);
  const ask = await ui.waitFor('What should happen?');
  t.notRegex(ask, /REFUSED/);
  t.regex(ask, /Shrink the partitions to fit \/dev\/sdc/);
  await ui.press(keys.enter);
  const plan = await ui.waitFor('Type sdc to go on');
  t.regex(plan, /sda1 \(ext4\): 1000 MiB -> 480 MiB/);
  t.true(b.calls.includes('planClone /dev/sda /dev/sdc shrink'));
  await ui.type('sdc');
  await ui.press(keys.enter);
  await ui.waitFor('/dev/sda -> /dev/sdc');
  t.true(b.calls.includes('runClone /dev/sda /dev/sdc shrink'));
  ui.unmount();
});

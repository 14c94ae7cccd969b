// Component tests of the restore and boot-repair flows: the images found, what one holds and whether it verifies,
// targets with sizes compared, the library's refusals, the typed confirmation, progress and what was written.
import test from 'ava';
import { InvalidImageError } from '../../core/errors.js';
import { FakeBackend, defaultRestorePlan, fakeDisk, fakeImage } from './fake-backend.js';
import { keys, renderApp, type Harness } from './ui-harness.js';

const MiB = 1024 * 1024;
const disks = [
  fakeDisk('/dev/sdb', 8192, [{ n: 1, fs: 'ext4', label: 'STORE', mib: 8000 }]),
  fakeDisk('/dev/sdc', 256, []),
  fakeDisk('/dev/sdd', 1024, []),
];
const good = fakeImage('images/pc-2026-11-26');
const clonezilla = fakeImage('2026-01-01-img', { origin: 'clonezilla', createdAt: undefined });
const broken = fakeImage('old-partial', { problem: 'images/old-partial is an incomplete image: its backup did not finish' });

function backend(extra: ConstructorParameters<typeof FakeBackend>[0] = {}) {
  return new FakeBackend({ disks, images: [broken, good, clonezilla], ...extra });
}

async function openFlow(ui: Harness, downs: number) {
  await ui.waitFor('Power off');
  for (let i = 0; i < downs; i++) await ui.press(keys.down);
  await ui.press(keys.enter);
}

/** Restore → the second image (pc-2026-11-26) → its contents → Enter: the list of target disks. */
async function openTargets(ui: Harness) {
  await openFlow(ui, 1);
  await ui.waitFor('images/pc-2026-11-26');
  await ui.press(keys.down, keys.enter);
  await ui.waitFor('Checksums OK');
  await ui.press(keys.enter);
  await ui.waitFor('/dev/sdd');
}

test('images are listed with origin and need; an unusable one shows why and cannot be chosen', async (t) => {
  const ui = renderApp(backend());
  await openFlow(ui, 1);
  const f = await ui.waitFor('Which image do you want to restore?');
  t.regex(f, /old-partial +\(sdb1\) +UNUSABLE/);
  t.regex(f, /incomplete image: its backup did not finish/);
  t.regex(f, /images\/pc-2026-11-26 +\(sdb1\) +Lifeboat, sda gpt, needs 500 MiB/);
  t.regex(f, /2026-01-01-img +\(sdb1\) +Clonezilla/);
  await ui.press(keys.enter);
  t.regex(ui.frame(), /Which image do you want to restore\?/, 'Enter on the unusable image does nothing');
  ui.unmount();
});

test('a restore: the image, its contents and checksums, targets by size, typed confirmation, progress, result', async (t) => {
  const b = backend();
  const ui = renderApp(b);
  await openFlow(ui, 1);
  await ui.waitFor('images/pc-2026-11-26');
  await ui.press(keys.down, keys.enter);
  const inspect = await ui.waitFor('Checksums OK');
  t.regex(inspect, /Lifeboat image of sda \(gpt\); the target needs 500 MiB/);
  t.regex(inspect, /sda2 +ext4 +root +partclone +118 MiB/);
  t.regex(inspect, /Checksums OK: all 12 files match the manifest\./);
  await ui.press(keys.enter);
  const targets = await ui.waitFor('/dev/sdd');
  t.regex(targets, /\/dev\/sdc +256 MiB[^\n]*\n[^\n]*SMALLER: 256 MiB < 500 MiB needed \(can shrink to fit\)/);
  t.regex(targets, /\/dev\/sdd +1\.0 GiB[^\n]*\n[^\n]*big enough: 1\.0 GiB >= 500 MiB needed/);
  await ui.press(keys.down, keys.down, keys.enter);
  const ask = await ui.waitFor('What should happen to the extra space?');
  t.regex(ask, /\/dev\/sdd has 524 MiB more than the image needs \(500 MiB of 1\.0 GiB\)\./);
  t.regex(ask, /[›>] Keep the partitions as in the image/, 'keeping the sizes is the first choice');
  await ui.press(keys.enter);
  const plan = await ui.waitFor('Type sdd to go on');
  t.true(b.calls.includes('planRestore images/pc-2026-11-26 /dev/sdd bootOnly=false'), 'planned without grow');
  t.regex(plan, /write the gpt partition table/);
  t.regex(plan, /Everything on \/dev\/sdd is overwritten\./);
  await ui.type('sdc');
  await ui.press(keys.enter);
  const wrong = await ui.waitFor('is not sdd');
  t.regex(wrong, /"sdc" is not sdd: nothing was written/);
  t.false(b.calls.some((c) => c.startsWith('runRestore')));
  await ui.type('sdd');
  await ui.press(keys.enter);
  await ui.waitFor('Restoring');
  t.true(b.calls.includes('runRestore images/pc-2026-11-26 /dev/sdd bootOnly=false'));
  const job = b.jobs[0]!;
  job.emit({ type: 'start', job: 'restore', device: '/dev/sdd', image: 'x', partitions: 2, totalBytes: 120 * MiB });
  job.emit({ type: 'step', job: 'restore', message: 'restore sda2 (ext4) to /dev/sdd2' });
  job.emit({ type: 'progress', job: 'restore', partition: 'sda2', percent: 25, overallPercent: 26, bytesPerSecond: 50 * MiB, etaSeconds: 12 });
  const running = await ui.waitFor('26.0%');
  t.regex(running, /Restoring: restore sda2 \(ext4\) to \/dev\/sdd2/);
  t.regex(running, /Rate 50\.0 MiB\/s {3}ETA 0:12/);
  job.resolve({ device: '/dev/sdd', seconds: 61, bytes: 120 * MiB, steps: ['write the gpt partition table (2 partitions) to /dev/sdd', 'restore sda2 (ext4) to /dev/sdd2'] });
  const result = await ui.waitFor('Restore complete');
  t.regex(result, /Restore complete: \/dev\/sdd in 1:01/);
  t.regex(result, /- restore sda2 \(ext4\) to \/dev\/sdd2/);
  ui.unmount();
});

test("the library's refusal (the disk holds the image) is shown with its reason, and no confirmation is asked", async (t) => {
  const b = backend({ restorePlan: (req) => ({ ...defaultRestorePlan(req), refusals: [{ code: 'holds-image', message: `${req.disk} holds the image itself; restoring onto it would destroy the image` }] }) });
  const ui = renderApp(b);
  await openTargets(ui); // /dev/sdb, the store's disk, is the first
  await ui.press(keys.enter);
  await ui.waitFor('REFUSED');
  t.notRegex(ui.text(), /extra space/, 'a refused target is not asked about growing');
  t.regex(ui.text(), /REFUSED: \/dev\/sdb holds the image itself; restoring onto it would destroy the image/);
  t.regex(ui.text(), /Nothing was written/);
  // The footer follows the plan's refusal one render later (an effect): wait for it rather than for a fixed time.
  t.regex(await ui.waitFor(/\n Esc back$/), /\n Esc back$/, 'the footer offers only Esc');
  t.notRegex(ui.text(), /Type sdb/);
  await ui.type('sdb');
  await ui.press(keys.enter);
  t.false(b.calls.some((c) => c.startsWith('runRestore')));
  await ui.press(keys.esc);
  await ui.waitFor('Restore images/pc-2026-11-26 onto which disk?');
  ui.unmount();
});

test('a larger target offers to grow the last partition: Esc goes back to the targets; choosing it plans and restores with grow', async (t) => {
  const b = backend({ restorePlan: (req) => ({ ...defaultRestorePlan(req), steps: [...defaultRestorePlan(req).steps, ...(req.grow ? [`grow partition 2 and its ext4 to the end of ${req.disk}`] : [])] }) });
  const ui = renderApp(b);
  await openTargets(ui);
  await ui.press(keys.down, keys.down, keys.enter);
  await ui.waitFor('What should happen to the extra space?');
  t.regex(ui.frame(), /\n Up\/Down choose {2}Enter next {2}Esc back$/);
  await ui.press(keys.esc);
  await ui.waitFor('onto which disk?');
  await ui.press(keys.down, keys.down, keys.enter);
  const ask = await ui.waitFor('What should happen to the extra space?');
  t.regex(ask, /Grow sda2 and its ext4 to the disk's end/);
  await ui.press(keys.down, keys.enter);
  const plan = await ui.waitFor('Type sdd to go on');
  t.regex(plan, /- grow partition 2 and its ext4 to the end of \/dev\/sdd/);
  t.true(b.calls.includes('planRestore images/pc-2026-11-26 /dev/sdd bootOnly=false grow'));
  await ui.type('sdd');
  await ui.press(keys.enter);
  await ui.waitFor('Restoring');
  t.true(b.calls.includes('runRestore images/pc-2026-11-26 /dev/sdd bootOnly=false grow'));
  ui.unmount();
});

test('growing is offered only for a full restore with room to spare; a filesystem that cannot grow is said so', async (t) => {
  const vfatLast = fakeImage('images/pc-2026-11-26', { last: { name: 'sda3', fsType: 'vfat', fsGrows: false } });
  const b = new FakeBackend({ disks: [...disks, fakeDisk('/dev/sde', 508, [])], images: [vfatLast] });
  const ui = renderApp(b);
  await openFlow(ui, 1);
  await ui.waitFor('images/pc-2026-11-26');
  await ui.press(keys.enter);
  await ui.waitFor('Checksums OK');
  await ui.press(keys.enter);
  await ui.waitFor('/dev/sde');
  // /dev/sde: 508 MiB, 8 MiB more than needed: no question, straight to the plan.
  await ui.press(keys.down, keys.down, keys.down, keys.enter);
  await ui.waitFor('Type sde to go on');
  t.true(b.calls.includes('planRestore images/pc-2026-11-26 /dev/sde bootOnly=false'));
  await ui.press(keys.esc);
  await ui.waitFor('onto which disk?');
  await ui.press(keys.up, keys.enter);
  const ask = await ui.waitFor('What should happen to the extra space?');
  t.regex(ask, /Grow sda3 to the disk's end \(only the partition: vfat cannot grow\)/);
  ui.unmount();
});

test('a damaged image says which file before any target is chosen', async (t) => {
  const ui = renderApp(backend({ check: { state: 'damaged', files: 12, problems: [{ file: 'sda2.ext4-ptcl-img.zst', reason: 'SHA-256 does not match the manifest' }] } }));
  await openFlow(ui, 1);
  await ui.waitFor('images/pc-2026-11-26');
  await ui.press(keys.down, keys.enter);
  await ui.waitFor('DAMAGED');
  t.regex(ui.text(), /DAMAGED: sda2\.ext4-ptcl-img\.zst: SHA-256 does not match the manifest\. A restore would refuse it\./);
  ui.unmount();
});

test('a Clonezilla image says it has no manifest', async (t) => {
  const ui = renderApp(backend({ check: { state: 'no-manifest', files: 0, problems: [] } }));
  await openFlow(ui, 1);
  await ui.waitFor('2026-01-01-img');
  await ui.press(keys.down, keys.down, keys.enter);
  const f = await ui.waitFor('No manifest');
  t.regex(f, /Clonezilla image of sda/);
  ui.unmount();
});

test('a restore that fails shows the error (the broken file named)', async (t) => {
  const b = backend();
  const ui = renderApp(b);
  await openTargets(ui);
  await ui.press(keys.down, keys.down, keys.enter);
  await ui.waitFor('What should happen to the extra space?');
  await ui.press(keys.enter);
  await ui.waitFor('Type sdd');
  await ui.type('/dev/sdd');
  await ui.press(keys.enter);
  await ui.waitFor('Restoring');
  b.jobs[0]!.reject(new InvalidImageError('image file sda2.ext4-ptcl-img.zst is damaged: missing', { file: 'sda2.ext4-ptcl-img.zst', hint: 'restore from another copy of the image' }));
  const f = await ui.waitFor('Failed');
  t.regex(f, /Broken file: sda2\.ext4-ptcl-img\.zst/);
  t.regex(f, /Hint: restore from another copy/);
  ui.unmount();
});

test('repair boot restores the boot records only and says what was written', async (t) => {
  const b = backend();
  const ui = renderApp(b);
  await openFlow(ui, 2);
  await ui.waitFor('Which image holds the boot records?');
  await ui.press(keys.down, keys.enter);
  await ui.waitFor('Checksums OK');
  await ui.press(keys.enter);
  const targets = await ui.waitFor('Which disk gets the boot records of images/pc-2026-11-26?');
  t.regex(targets, /gpt table, 1 partitions \(the image: gpt\)/);
  await ui.press(keys.enter);
  const plan = await ui.waitFor('Type sdb to go on');
  t.regex(plan, /The boot records of \/dev\/sdb are overwritten\./);
  t.true(b.calls.includes('planRestore images/pc-2026-11-26 /dev/sdb bootOnly=true'));
  await ui.type('sdb');
  await ui.press(keys.enter);
  await ui.waitFor('Restoring');
  b.jobs[0]!.resolve({ device: '/dev/sdb', seconds: 3, bytes: 2 * MiB, steps: ['write the MBR boot code (440 bytes)', 'restore sda1 (vfat, 2097152 bytes of image) to /dev/sdb1'] });
  await ui.waitFor('Boot records restored');
  t.regex(ui.text(), /What was written: - write the MBR boot code \(440 bytes\)/);
  t.true(b.calls.includes('runRestore images/pc-2026-11-26 /dev/sdb bootOnly=true'));
  ui.unmount();
});

test('no images: the screen says to attach the disk that holds them', async (t) => {
  const ui = renderApp(backend({ images: [] }));
  await openFlow(ui, 1);
  await ui.waitFor('No images found');
  t.regex(ui.text(), /Attach the disk that holds them and press r/);
  ui.unmount();
});

test('Esc while the images are still being looked for goes back to the menu', async (t) => {
  const ui = renderApp(backend({ imagesHang: true }));
  await openFlow(ui, 1);
  await ui.waitFor('Looking for images on the attached disks');
  await ui.press(keys.esc);
  await ui.waitFor('Main menu');
  t.pass();
  ui.unmount();
});

test('after "Keep the partitions" only the new plan is drawn: no stale confirmation before it, and what is typed then counts', async (t) => {
  // The plan for the answer comes when the test says, so every frame drawn while it is pending can be looked at.
  let answer!: () => void;
  const b = backend();
  const plan = b.planRestore.bind(b);
  b.planRestore = async (req) => {
    const p = await plan(req);
    if (!req.grow && b.calls.filter((c) => c.startsWith('planRestore')).length > 1) await new Promise<void>((r) => (answer = r));
    return p;
  };
  const ui = renderApp(b);
  await openTargets(ui);
  await ui.press(keys.down, keys.down, keys.enter);
  await ui.waitFor('What should happen to the extra space?');
  const before = ui.frames().length;
  await ui.press(keys.enter); // keep the partitions: planned again
  await ui.waitFor('Checking the target and planning');
  const pending = ui.frames().slice(before);
  t.false(pending.some((f) => f.includes('Type sdd to go on')), 'no confirmation is drawn before the plan for the answer is there');
  answer();
  await ui.waitFor('Type sdd to go on');
  const shown = ui.frames().slice(before);
  const firstPrompt = shown.findIndex((f) => f.includes('Type sdd to go on'));
  t.false(shown.slice(firstPrompt).some((f) => f.includes('Checking the target and planning')), 'once asked, the question stays');
  await ui.type('sdd');
  await ui.press(keys.enter);
  await ui.waitFor('Restoring');
  t.true(b.calls.includes('runRestore images/pc-2026-11-26 /dev/sdd bootOnly=false'));
  ui.unmount();
});

test('a smaller target asks whether to shrink: "another disk" goes back; shrinking plans with shrink, shows the new layout, restores with it', async (t) => {
  const b = backend({
    restorePlan: (req) => ({
      ...defaultRestorePlan(req),
      layout: req.shrink ? ['New layout (old size -> new size):', 'sda1 (vfat): 64.0 MiB -> 64.0 MiB, keeps its size: boot or firmware partition', 'sda2 (ext4): 436 MiB -> 180 MiB, e2fsck -f and resize2fs on a staging copy'] : [],
      refusals: req.shrink ? [] : [{ code: 'too-small', message: `${req.disk} is too small` }],
    }),
  });
  const ui = renderApp(b);
  await openTargets(ui);
  // /dev/sdc (256 MiB) is the second target.
  await ui.press(keys.down, keys.enter);
  const ask = await ui.waitFor('What should happen?');
  t.regex(ask, /\/dev\/sdc \(256 MiB\) is smaller than the image's partitions \(500 MiB\)\./);
  t.false(b.calls.some((c) => c.startsWith('planRestore')), 'nothing planned before the answer');
  await ui.press(keys.down, keys.enter);
  await ui.waitFor('onto which disk?');
  await ui.press(keys.down, keys.enter);
  await ui.waitFor('What should happen?');
  await ui.press(keys.enter);
  const plan = await ui.waitFor('Type sdc to go on');
  t.regex(plan, /sda2 \(ext4\): 436 MiB -> 180 MiB, e2fsck -f and resize2fs on a staging copy/);
  t.true(b.calls.includes('planRestore images/pc-2026-11-26 /dev/sdc bootOnly=false shrink'));
  await ui.type('sdc');
  await ui.press(keys.enter);
  await ui.waitFor('Restoring');
  t.true(b.calls.includes('runRestore images/pc-2026-11-26 /dev/sdc bootOnly=false shrink'));
  ui.unmount();
});

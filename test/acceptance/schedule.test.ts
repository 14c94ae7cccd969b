// Issue 16 (protect a running machine), the schedule itself, on this host (no systemd runs here: the units are
// enabled offline in a prepared tree, LIFEBOAT_ROOT, as `systemctl --root` does): `schedule add` writes a Persistent
// timer and its oneshot service and enables it; `schedule run` (what the service runs) images the disk into the
// store and appends the history; a second run while one runs is refused by the schedule's lock; a store that cannot
// be reached at run time fails with one line in the history and the --on-failure command called with the outcome;
// remove takes the units away and keeps the history; bad words are one line each with their exit code.
import test from 'ava';
import { execa } from 'execa';
import { lstat, mkdir, readdir, readFile, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import { jsonLines, lifeboat, lifeboatBin, untilPrinted } from '../helpers/cli.js';
import { writeFiles } from '../helpers/fixtures.js';
import { attach, makeSparse, partition, tempDir, withMount, type LoopDisk } from '../helpers/loop.js';

let dir: string;
let root: string;
let store: string;
let disk: LoopDisk;
let env: Record<string, string>;

test.before(async () => {
  dir = await tempDir();
  root = path.join(dir, 'root');
  store = path.join(dir, 'store');
  await mkdir(store);
  const file = path.join(dir, 'disk.img');
  await makeSparse(file, 96);
  await partition(file, 'label: dos\nsize=80M, type=83\n');
  disk = await attach(file);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'sched', disk.part(1)]);
  await withMount(disk.part(1), (d) => writeFiles(d, 800, 'sc'));
  env = { LIFEBOAT_ROOT: root };
});

test.after.always(async () => {
  await disk?.detach();
  await rm(dir, { recursive: true, force: true });
});

const lb = (args: string[]) => lifeboat(args, { env });

test.serial('add writes a Persistent timer and its service, enabled; list shows the next run', async (t) => {
  const marker = path.join(dir, 'nightly-failed');
  const r = await lb(['schedule', 'add', 'nightly', '--disk', disk.device, '--to', store, '--at', 'daily 02:00', '--on-failure', `echo "$LIFEBOAT_EXIT_CODE" > ${marker}`]);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /schedule nightly: .* daily 02:00 \(OnCalendar=\*-\*-\* 02:00:00\); next run \d{4}-\d{2}-\d{2} 02:00:00 UTC/);
  t.regex(r.stdout, /lifeboat-nightly\.timer enabled; systemd is not running this system/);
  const units = path.join(root, 'etc/systemd/system');
  const timer = await readFile(path.join(units, 'lifeboat-nightly.timer'), 'utf8');
  t.regex(timer, /^OnCalendar=\*-\*-\* 02:00:00$/m);
  t.regex(timer, /^Persistent=true$/m);
  t.regex(timer, /^Unit=lifeboat-nightly\.service$/m);
  const service = await readFile(path.join(units, 'lifeboat-nightly.service'), 'utf8');
  t.regex(service, /^Type=oneshot$/m);
  t.true(service.includes(`ExecStart=${process.execPath} ${lifeboatBin} schedule run nightly`), service);
  t.is(await readlink(path.join(units, 'timers.target.wants/lifeboat-nightly.timer')), '/etc/systemd/system/lifeboat-nightly.timer');
  const def = JSON.parse(await readFile(path.join(root, 'etc/lifeboat/schedules/nightly.json'), 'utf8'));
  t.like(def, { name: 'nightly', to: store, at: 'daily 02:00', onCalendar: '*-*-* 02:00:00', mode: 'snapshot' });
  t.regex(def.diskIdentity, /^file:/);
  t.is((await lstat(path.join(root, 'etc/lifeboat/schedules/nightly.json'))).mode & 0o077, 0, 'root-only: it names where credentials are');
  const l = await lb(['schedule', 'list']);
  t.is(l.exitCode, 0, l.stderr);
  t.regex(l.stdout, /nightly: .* daily 02:00; next \d{4}-\d{2}-\d{2} 02:00:00 UTC\n {2}last: not run yet/);
});

test.serial('run images the disk into the store and records it; a second run meanwhile is refused by the lock', async (t) => {
  const first = execa('node', [lifeboatBin, 'schedule', 'run', 'nightly', '--json'], { env, reject: false });
  await untilPrinted(first, /"type":"progress"|"type":"partition-done"/);
  const second = await lb(['schedule', 'run', 'nightly']);
  t.is(second.exitCode, 4, second.stderr);
  t.regex(second.stderr, /schedule nightly .*in use|in use .*schedule nightly/);
  const r = await first;
  t.is(r.exitCode, 0, String(r.stderr));
  const result = jsonLines(String(r.stdout)).at(-1)!;
  t.like(result, { type: 'result', schedule: 'nightly', ok: true, exitCode: 0 });
  const images = (await readdir(store)).filter((f) => !f.startsWith('.') && !f.endsWith('.log'));
  t.is(images.length, 1, images.join(', '));
  t.is((await lb(['verify', path.join(store, images[0]!)])).exitCode, 0);
  const h = await lb(['schedule', 'history', 'nightly', '--json']);
  const runs = (jsonLines(h.stdout).at(-1) as { runs: Array<{ ok: boolean; exitCode: number; message: string; image?: string }> }).runs;
  t.deepEqual(runs.map((x) => [x.ok, x.exitCode]), [[false, 4], [true, 0]], 'the refused run is in the history too');
  t.regex(runs[1]!.message, new RegExp(`^saved ${disk.device} to .*${images[0]}`));
  const l = await lb(['schedule', 'list']);
  t.regex(l.stdout, /last: .* ok: saved /);
});

test.serial('a store that cannot be reached at run time: one line in the history, --on-failure called with the outcome, no image', async (t) => {
  const marker = path.join(dir, 'away-failed');
  const add = await lb(['schedule', 'add', 'away', '--disk', disk.device, '--to', 'ssh://backup@127.0.0.1:1/srv/images', '--at', 'weekly Sun 03:30', '--on-failure', `printf '%s|%s' "$LIFEBOAT_EXIT_CODE" "$LIFEBOAT_MESSAGE" > ${marker}`]);
  t.is(add.exitCode, 0, add.stderr);
  t.regex(add.stdout, /OnCalendar=Sun \*-\*-\* 03:30:00/);
  const r = await lb(['schedule', 'run', 'away']);
  t.is(r.exitCode, 7, r.stderr);
  t.is(r.stderr.split('\n').filter((x) => x.startsWith('lifeboat: ')).length, 1, r.stderr);
  const runs = (jsonLines((await lb(['schedule', 'history', 'away', '--json'])).stdout).at(-1) as { runs: Array<{ ok: boolean; exitCode: number; message: string; onFailure?: string }> }).runs;
  t.is(runs.length, 1);
  t.like(runs[0], { ok: false, exitCode: 7, onFailure: 'ran' });
  t.regex(runs[0]!.message, /127\.0\.0\.1/);
  const [code, message] = (await readFile(marker, 'utf8')).split('|');
  t.is(code, '7');
  t.is(message, runs[0]!.message);
});

test.serial('bad words: one line each, their exit code, nothing written', async (t) => {
  const cases: Array<[string[], number, RegExp]> = [
    [['schedule', 'add', 'x1', '--disk', disk.device, '--to', store, '--at', 'sometimes'], 2, /--at "sometimes": not a time systemd can run a job at/],
    [['schedule', 'add', 'x2', '--disk', disk.device, '--to', store, '--at', 'daily 02:00', '--mode', 'offline'], 2, /--mode offline .* not built yet/],
    [['schedule', 'add', 'x3', '--disk', disk.device, '--to', store, '--at', 'daily 02:00', '--keep-daily', '3'], 2, /need an image repository/],
    [['schedule', 'add', 'x4', '--disk', disk.device, '--to', `restic:${dir}/repo`, '--at', 'daily 02:00'], 2, /nobody to ask for the password/],
    [['schedule', 'add', 'Bad Name', '--disk', disk.device, '--to', store, '--at', 'daily 02:00'], 2, /schedule name 'Bad Name'/],
    [['schedule', 'add', 'nightly', '--disk', disk.device, '--to', store, '--at', 'daily 02:00'], 4, /schedule nightly exists already/],
    [['schedule', 'add', 'x5', '--disk', disk.part(1), '--to', store, '--at', 'daily 02:00'], 2, /is a partition, not a whole disk/],
    [['schedule', 'add', 'x6', '--disk', disk.device, '--to', store, '--at', 'daily 02:00', '--freeze-limit', '5'], 2, /--freeze-limit is for --freeze/],
    [['schedule', 'run', 'nosuch'], 3, /no schedule nosuch/],
    [['schedule', 'history', 'nosuch'], 3, /no schedule nosuch/],
  ];
  for (const [args, code, line] of cases) {
    const r = await lb(args);
    t.is(r.exitCode, code, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, line, args.join(' '));
  }
  t.deepEqual((await readdir(path.join(root, 'etc/lifeboat/schedules'))).sort(), ['away.json', 'nightly.json']);
});

test.serial('remove takes the timer and service away and keeps the history', async (t) => {
  const r = await lb(['schedule', 'remove', 'nightly']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /its history stays in .*nightly\.history\.jsonl/);
  const units = await readdir(path.join(root, 'etc/systemd/system'));
  t.false(units.some((u) => u.startsWith('lifeboat-nightly')), units.join(', '));
  t.deepEqual(await readdir(path.join(root, 'etc/systemd/system/timers.target.wants')), ['lifeboat-away.timer']);
  const h = await lb(['schedule', 'history', 'nightly']);
  t.is(h.exitCode, 0, h.stderr);
  t.is(h.stdout.trim().split('\n').length, 2);
  t.regex((await lb(['schedule', 'list'])).stdout, /^away: /);
});

test.serial("a store partition that is not attached at run time is exit 3, naming it; the history says so", async (t) => {
  t.is((await lb(['schedule', 'add', 'gone', '--disk', disk.device, '--to', 'LABEL=LIFEBOAT-NO-SUCH-STORE:/images', '--at', 'hourly'])).exitCode, 0);
  const r = await lb(['schedule', 'run', 'gone']);
  t.is(r.exitCode, 3, r.stderr);
  t.regex(r.stderr, /^lifeboat: no filesystem has LABEL=LIFEBOAT-NO-SUCH-STORE: is the store's disk attached\?$/m);
  const runs = (jsonLines((await lb(['schedule', 'history', 'gone', '--json'])).stdout).at(-1) as { runs: Array<{ ok: boolean; exitCode: number; message: string }> }).runs;
  t.like(runs[0], { ok: false, exitCode: 3 });
});

test.serial('snapshot mode with --freeze and hooks: a mounted disk is imaged frozen; a failing pre-hook is one line in the history, --on-failure called, nothing written', async (t) => {
  const m = await tempDir('lifeboat-mnt-');
  await execa('mount', [disk.part(1), m]);
  t.teardown(async () => {
    await execa('fsfreeze', ['-u', m], { reject: false });
    await execa('umount', [m], { reject: false });
  });
  const liveStore = path.join(dir, 'live-store');
  await mkdir(liveStore);
  const add = await lb(['schedule', 'add', 'live', '--disk', disk.device, '--to', liveStore, '--at', 'hourly', '--freeze', '--pre', `touch '${m}/pre-ran'`, '--hook-timeout', '20']);
  t.is(add.exitCode, 0, add.stderr);
  const def = JSON.parse(await readFile(path.join(root, 'etc/lifeboat/schedules/live.json'), 'utf8'));
  t.deepEqual(def.running, { freeze: true, pre: `touch '${m}/pre-ran'`, hookTimeoutSeconds: 20 });
  const r = await lb(['schedule', 'run', 'live']);
  t.is(r.exitCode, 0, r.stderr);
  const images = await readdir(liveStore);
  t.is(images.length, 1, images.join(', '));
  const manifest = JSON.parse(await readFile(path.join(liveStore, images[0]!, 'lifeboat.json'), 'utf8')) as { partitions: Array<{ read?: string }> };
  t.is(manifest.partitions[0]!.read, 'frozen');
  t.true((await readdir(m)).includes('pre-ran'));

  const marker = path.join(dir, 'badpre-failed');
  // A store of its own: the image's default name is per minute, and the first run's image is there.
  const badStore = path.join(dir, 'badpre-store');
  await mkdir(badStore);
  t.is((await lb(['schedule', 'add', 'badpre', '--disk', disk.device, '--to', badStore, '--at', 'hourly', '--freeze', '--pre', 'echo "database not ready" >&2; exit 2', '--on-failure', `printf '%s' "$LIFEBOAT_EXIT_CODE" > ${marker}`])).exitCode, 0);
  const bad = await lb(['schedule', 'run', 'badpre']);
  t.is(bad.exitCode, 11, bad.stderr);
  t.regex(bad.stderr, /^lifeboat: the --pre hook \(.*\) exited with code 2: database not ready; nothing was written or frozen$/m);
  const runs = (jsonLines((await lb(['schedule', 'history', 'badpre', '--json'])).stdout).at(-1) as { runs: Array<{ ok: boolean; exitCode: number; message: string; onFailure?: string }> }).runs;
  t.like(runs[0], { ok: false, exitCode: 11, onFailure: 'ran' });
  t.regex(runs[0]!.message, /exited with code 2: database not ready; nothing was written or frozen/);
  t.is(await readFile(marker, 'utf8'), '11');
  t.deepEqual(await readdir(badStore), [], 'no image, no partial one');
  const probe = await execa('timeout', ['5', 'touch', path.join(m, 'after')], { reject: false });
  t.is(probe.exitCode, 0, 'not left frozen');
});

// Issue 16 (consistent images of a running system): a mounted filesystem that is written to while it is imaged,
// read frozen (--freeze) between a --pre and a --post hook; and what refuses, each with nothing left behind: a
// mounted partition without --freeze, a freeze the plan estimates over the limit, a failing or hanging pre-hook.
// Real partclone, real fsfreeze, real loop devices.
import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lifeboat } from '../helpers/cli.js';
import { ext4Disk, fileHash, scratch, withMount } from '../helpers/loop.js';
import { mountForTest, restoredOnBlank } from '../helpers/running.js';

/** The loop devices backed by a partition: a frozen read's own loop must be gone when the job ends. */
async function loopsOver(device: string): Promise<string> {
  return (await execa('losetup', ['-j', device])).stdout.trim();
}

/** Whether a write to the filesystem completes (a frozen one blocks it): within 5 s. */
async function writable(dir: string): Promise<boolean> {
  const r = await execa('timeout', ['5', 'sh', '-c', `echo probe > '${dir}/writable-probe' && sync '${dir}/writable-probe'`], { reject: false });
  return r.exitCode === 0;
}

function storeDir(dir: string): Promise<string> {
  const store = path.join(dir, 'store');
  return mkdir(store, { recursive: true }).then(() => store);
}

test.serial('a mounted ext4 written to throughout is imaged frozen between --pre and --post; the restored copy is consistent', async (t) => {
  const { dir, attached } = await scratch(t);
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 256, label: 'running', randomMiB: 40 });
  const m = await mountForTest(t, source.part(1));
  const randomHash = await fileHash(path.join(m, 'random.bin'));
  // A writer that appends numbered lines, each made durable (fsync) before the next: during the freeze it waits.
  const writer: ResultPromise = execa('sh', ['-c', 'i=0; while :; do i=$((i+1)); echo "$i" >> "$1/counter.log"; sync "$1/counter.log"; done', 'writer', m], { reject: false });
  t.teardown(() => {
    writer.kill('SIGKILL');
  });
  for (let i = 0; i < 100 && (await stat(path.join(m, 'counter.log')).catch(() => undefined)) === undefined; i++) await sleep(50);
  const store = await storeDir(dir);
  const image = path.join(store, 'running');
  const r = await lifeboat(['backup', source.device, image, '--freeze', '--pre', `echo "$LIFEBOAT_HOOK" > '${m}/pre-marker'`, '--post', `echo "$LIFEBOAT_OK" > '${m}/post-marker'`]);
  t.is(r.exitCode, 0, r.stderr);
  // The plan said how the partition would be read, and the run said for how long it was frozen.
  t.regex(r.stderr, new RegExp(`${source.name}p1: ext4 with partclone, \\d+ bytes used; mounted on ${m}: frozen \\(fsfreeze\\) while partclone reads it, about \\d+ s \\(limit 10 s; stopped at 30 s\\)`));
  t.regex(r.stderr, /before anything is read: --pre /);
  t.regex(r.stderr, new RegExp(`${m} thawed after \\d+\\.\\d s frozen`));
  const manifest = JSON.parse(await readFile(path.join(image, 'lifeboat.json'), 'utf8')) as { state: string; partitions: Array<{ read?: string }> };
  t.is(manifest.state, 'complete');
  t.is(manifest.partitions[0]!.read, 'frozen');
  // Thawed, and nothing of the read left: no loop over the partition, the writer goes on, the post-hook ran after.
  t.true(await writable(m), 'the filesystem takes writes again');
  t.is(await loopsOver(source.part(1)), '');
  const linesThen = (await readFile(path.join(m, 'counter.log'), 'utf8')).split('\n').length;
  await sleep(300);
  t.true((await readFile(path.join(m, 'counter.log'), 'utf8')).split('\n').length > linesThen, 'the writer is still writing');
  t.is((await readFile(path.join(m, 'post-marker'), 'utf8')).trim(), '1');
  writer.kill('SIGKILL');
  await writer;
  t.is((await lifeboat(['verify', image])).exitCode, 0);
  const info = await lifeboat(['info', image]);
  t.regex(info.stdout, new RegExp(`^ +1 ${source.name}p1 +partclone +ext4 +running .*  read frozen \\(fsfreeze\\)$`, 'm'), info.stdout);
  t.like(JSON.parse((await lifeboat(['info', image, '--json'])).stdout).partitions[0], { read: 'frozen' });

  // Restored onto a blank disk: the filesystem is clean without a repair, and its files are as they were at the freeze.
  const target = await restoredOnBlank(t, dir, attached, image, 256);
  const fsck = await execa('e2fsck', ['-fn', target.part(1)], { reject: false });
  t.is(fsck.exitCode, 0, fsck.stdout);
  await withMount(target.part(1), async (copy) => {
    t.is(await fileHash(path.join(copy, 'random.bin')), randomHash);
    t.is((await readFile(path.join(copy, 'pre-marker'), 'utf8')).trim(), 'pre', 'the pre-hook ran before the freeze');
    t.false((await readdir(copy)).includes('post-marker'), 'the post-hook ran after the read');
    // Every line the writer made durable before the freeze is there, whole and in order: 1, 2, … n.
    const lines = (await readFile(path.join(copy, 'counter.log'), 'utf8')).split('\n');
    t.is(lines.pop(), '', 'the log ends with a whole line');
    t.true(lines.length > 0);
    t.deepEqual(lines, lines.map((_, i) => String(i + 1)));
  }, ['-o', 'ro']);
});

test.serial('a mounted partition is refused without --freeze or over the freeze limit, and a failing or hanging pre-hook leaves nothing', async (t) => {
  const { dir, attached } = await scratch(t);
  // 80 MiB of data: the plan estimates 2 s of freeze at its 64 MiB/s.
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 256, label: 'refused', randomMiB: 80 });
  const m = await mountForTest(t, source.part(1));
  const store = await storeDir(dir);
  const untouched = async (what: string) => {
    t.deepEqual(await readdir(store), [], `${what}: nothing in the store`);
    t.true(await writable(m), `${what}: not frozen`);
    t.is(await loopsOver(source.part(1)), '', `${what}: no loop left`);
  };

  const plain = await lifeboat(['backup', source.device, path.join(store, 'a')]);
  t.is(plain.exitCode, 4, plain.stderr);
  t.regex(plain.stderr, new RegExp(`lifeboat: ${source.part(1)} is mounted on ${m}; unmount it first`));
  t.regex(plain.stderr, /hint: or add --freeze/);
  await untouched('no --freeze');

  const over = await lifeboat(['backup', source.device, path.join(store, 'a'), '--freeze', '--freeze-limit', '1']);
  t.is(over.exitCode, 4, over.stderr);
  t.regex(over.stderr, /would keep it frozen about 2 s, over the 1 s limit/);
  await untouched('over the limit');

  const failing = await lifeboat(['backup', source.device, path.join(store, 'a'), '--freeze', '--pre', 'echo "not in backup mode" >&2; exit 3', '--post', `touch '${m}/post-ran'`]);
  t.is(failing.exitCode, 11, failing.stderr);
  t.regex(failing.stderr, /lifeboat: the --pre hook \(.*\) exited with code 3: not in backup mode; nothing was written or frozen/);
  await untouched('failing pre-hook');
  t.false((await readdir(m)).includes('post-ran'), 'no post-hook without a pre-hook that succeeded');

  const started = Date.now();
  const hanging = await lifeboat(['backup', source.device, path.join(store, 'a'), '--freeze', '--pre', 'sleep 120; echo done', '--hook-timeout', '1']);
  t.is(hanging.exitCode, 11, hanging.stderr);
  t.regex(hanging.stderr, /the --pre hook \(sleep 120; echo done\) did not finish within 1 s and was stopped; nothing was written or frozen/);
  t.true(Date.now() - started < 30_000);
  t.is((await execa('pgrep', ['-f', 'sleep 120'], { reject: false })).stdout, '', 'what the hook started was stopped with it');
  await untouched('hanging pre-hook');

  // A post-hook that fails once the data is read: the image is kept (it is whole), the failure is a warning.
  const post = await lifeboat(['backup', source.device, path.join(store, 'b'), '--freeze', '--freeze-limit', '5', '--post', 'exit 4']);
  t.is(post.exitCode, 0, post.stderr);
  t.regex(post.stderr, /warning: the --post hook \(exit 4\) exited with code 4; the volumes had been read/);
  t.deepEqual(await readdir(store), ['b']);
  t.is((await lifeboat(['verify', path.join(store, 'b')])).exitCode, 0);

  for (const [args, line] of [
    [['--freeze', '--freeze-limit', '0'], /--freeze-limit 0 is not a number of seconds/],
    [['--freeze-limit', '5'], /--freeze-limit is for --freeze/],
    [['--pre', ' '], /--pre is empty/],
    [['--hook-timeout', '5'], /--hook-timeout is for --pre or --post/],
  ] as const) {
    const bad = await lifeboat(['backup', source.device, path.join(store, 'c'), ...args]);
    t.is(bad.exitCode, 2, `${args.join(' ')}: ${bad.stderr}`);
    t.regex(bad.stderr, line);
  }
  t.deepEqual(await readdir(store), ['b']);
});

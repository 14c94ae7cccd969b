// Issue 3, acceptances 1 and 5: `lifeboat iso build` (what `npm run iso` runs) builds the default ISO from an empty
// cache (tools tree, root, Node: everything from the mirror and the npm registry) and prints each stage with its time
// and the ISO's size; and that ISO is byte-identical to one built with the same SOURCE_DATE_EPOCH from the shared
// cache. Slow (a cold and a warm build, 3-6 min); LIFEBOAT_SKIP_ISO_BOOT=1 skips it with the other ISO suites.
import test from 'ava';
import { open, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildIso, type BuildResult } from '../../builder/build.js';
import { Runner } from '../../core/runner/run.js';
import { defaultIsoConfig } from '../../iso-config/load.js';
import { lifeboat } from '../helpers/cli.js';
import { skipIsoBoot, withBuildLock } from './iso-under-test.js';

/** 2025-11-26 00:00 UTC; any fixed value does. */
const epoch = 1_764_115_200;

/** The first byte offset at which two files differ, or undefined when they are equal. */
async function firstDifference(a: string, b: string): Promise<number | undefined> {
  const [fa, fb] = await Promise.all([open(a), open(b)]);
  try {
    const size = 1 << 20;
    const ba = Buffer.alloc(size);
    const bb = Buffer.alloc(size);
    for (let offset = 0; ; offset += size) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, size, offset), fb.read(bb, 0, size, offset)]);
      const n = Math.min(ra.bytesRead, rb.bytesRead);
      for (let i = 0; i < n; i++) if (ba[i] !== bb[i]) return offset + i;
      if (ra.bytesRead !== rb.bytesRead) return offset + n;
      if (n === 0) return undefined;
    }
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

const packagesOf = async (r: { iso: string }): Promise<string> => readFile(r.iso.replace(/\.iso$/, '.packages'), 'utf8');

function lineDiff(a: string, b: string): string {
  const la = new Set(a.split('\n'));
  const lb = new Set(b.split('\n'));
  return [...[...la].filter((l) => !lb.has(l)).map((l) => `-${l}`), ...[...lb].filter((l) => !la.has(l)).map((l) => `+${l}`)].join(', ');
}

const slow = skipIsoBoot ? test.skip : test.serial;

slow('from an empty cache with the CLI, and warm from the shared cache, same SOURCE_DATE_EPOCH: byte-identical ISOs', async (t) => {
  t.timeout(40 * 60_000, 'a cold build on a busy 2-core machine'); // ava's 10-minute default is per test
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-repro-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const build = async (name: string, refresh: boolean): Promise<BuildResult> =>
    withBuildLock(async () => {
      const r = await buildIso({
        config: defaultIsoConfig(),
        out: path.join(dir, name),
        runner: new Runner(),
        refresh,
        sourceDateEpoch: epoch,
        emit: (e) => {
          if (e.type === 'stage-done') t.log(`${name}: ${e.stage}: ${e.seconds.toFixed(1)} s${e.note ? ` (${e.note})` : ''}`);
          if (e.type === 'note') t.log(`${name}:   ${e.message}`);
        },
      });
      t.log(`${name}: ${r.sha256} in ${r.seconds.toFixed(0)} s`);
      return r;
    });
  let warm = await build('warm', false);

  const out = path.join(dir, 'cold');
  const cli = await withBuildLock(() =>
    lifeboat(['iso', 'build', '--out', out, '--cache', path.join(dir, 'cache')], { env: { SOURCE_DATE_EPOCH: String(epoch) }, timeoutMs: 35 * 60_000 }),
  );
  const printed = `${cli.stderr}\n${cli.stdout}`; // stages on stderr, the ISO's path on stdout
  t.log(printed);
  t.is(cli.exitCode, 0, cli.stderr);
  const stages = [...printed.matchAll(/^\[\s*(\d+)\/(\d+)\] ([a-z ]+): (?:(\d+\.\d) s|skipped)/gm)];
  t.is(stages.length, 12, 'one line per stage, with its time (or why it was skipped)');
  t.deepEqual(stages.map((m) => Number(m[1])), [...Array(12).keys()].map((i) => i + 1));
  t.regex(printed, /tools tree cache miss: nothing cached yet/, 'the empty cache made a tools tree');
  t.regex(printed, /root cache miss: nothing cached yet/);
  const size = /^(\S+\.iso): (\d+) MiB \((\d+) bytes\) in \d+:\d\d$/m.exec(printed);
  t.truthy(size, 'the ISO and its size are printed');
  const cold = { iso: size?.[1] ?? '', sha256: /sha256 ([0-9a-f]{64})/.exec(printed)?.[1] ?? '' };

  const [pw, pc] = [await packagesOf(warm), await packagesOf(cold)];
  if (pw !== pc) {
    // The shared cache's root came from an older state of the mirror: bootstrap it again and compare the fresh ones.
    t.log(`the mirror moved since the cached root was made (${lineDiff(pw, pc)}); bootstrapping the shared root again`);
    warm = await build('refreshed', true);
    t.is(await packagesOf(warm), pc, 'the mirror moved between two bootstraps minutes apart; run the test again');
  }
  const at = await firstDifference(warm.iso, cold.iso);
  t.is(at, undefined, `the ISOs differ from byte ${at} on (sector ${at === undefined ? '' : Math.floor(at / 2048)}); build with --keep-work and compare the trees`);
  t.is(warm.sha256, cold.sha256);
  t.regex(warm.sha256, /^[0-9a-f]{64}$/);
});

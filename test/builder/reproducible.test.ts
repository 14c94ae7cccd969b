// Issue 3, acceptance 5: two builds of the default config with the same SOURCE_DATE_EPOCH are byte-identical, the
// second one bootstrapping its root from the mirror again (--refresh) rather than reusing the first one's.
// Slow (a warm build and a cold bootstrap, ~2-3 min); LIFEBOAT_SKIP_ISO_BOOT=1 skips it with the other ISO suites.
import test from 'ava';
import { open, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildIso, type BuildResult } from '../../builder/build.js';
import { Runner } from '../../imager/runner/run.js';
import { defaultIsoConfig } from '../../iso-config/load.js';
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

const packagesOf = async (r: BuildResult): Promise<string> => readFile(r.iso.replace(/\.iso$/, '.packages'), 'utf8');

function lineDiff(a: string, b: string): string {
  const la = new Set(a.split('\n'));
  const lb = new Set(b.split('\n'));
  return [...[...la].filter((l) => !lb.has(l)).map((l) => `-${l}`), ...[...lb].filter((l) => !la.has(l)).map((l) => `+${l}`)].join(', ');
}

const slow = skipIsoBoot ? test.skip : test.serial;

slow('same config and SOURCE_DATE_EPOCH, root bootstrapped again: byte-identical ISOs', async (t) => {
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
  let first = await build('first', false);
  const second = await build('second', true);
  const [p1, p2] = [await packagesOf(first), await packagesOf(second)];
  if (p1 !== p2) {
    // The cached root came from an older state of the mirror: compare two fresh bootstraps instead.
    t.log(`the mirror moved since the cached root was made (${lineDiff(p1, p2)}); bootstrapping once more`);
    first = await build('third', true);
    t.is(await packagesOf(first), p2, 'the mirror moved between two bootstraps a minute apart; run the test again');
  }
  const at = await firstDifference(first.iso, second.iso);
  t.is(at, undefined, `the ISOs differ from byte ${at} on (sector ${at === undefined ? '' : Math.floor(at / 2048)}); build with --keep-work and compare the trees`);
  t.is(first.sha256, second.sha256);
  t.regex(first.sha256, /^[0-9a-f]{64}$/);
});

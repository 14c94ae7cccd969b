// The build cache: keys that ignore key order, misses explained in words, entries committed whole.
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cacheKey, canonicalJson, defaultCacheDir, missReason, TreeCache } from '../../builder/cache.js';
import { processStamp } from '../../core/process-identity.js';
import { rootInputs } from '../../builder/steps/bootstrap-root.js';
import { validateIsoConfig } from '../../iso-config/load.js';

test('keys: canonical JSON, so key order does not matter but every value does', (t) => {
  t.is(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }), '{"a":[2,{"c":4,"d":3}],"b":1}');
  t.is(cacheKey({ a: 1, b: 2 }), cacheKey({ b: 2, a: 1 }));
  t.not(cacheKey({ a: 1 }), cacheKey({ a: 2 }));
  t.regex(cacheKey({}), /^[0-9a-f]{64}$/);
});

test('the root key changes with the package set, suite, mirror and architecture, not with other settings', (t) => {
  const base = cacheKey(rootInputs(validateIsoConfig({})));
  t.is(cacheKey(rootInputs(validateIsoConfig({ hostname: 'other', boot: { timeout: 1 }, locale: 'C.UTF-8' }))), base, 'settings applied after bootstrap');
  t.not(cacheKey(rootInputs(validateIsoConfig({ packages: ['less'] }))), base);
  t.not(cacheKey(rootInputs(validateIsoConfig({ mirror: 'http://ftp.de.debian.org/debian' }))), base);
  t.not(cacheKey(rootInputs(validateIsoConfig({ ssh: { enabled: true, authorizedKeys: ['ssh-ed25519 AAAAC3Nz x'] } }))), base, 'openssh-server');
  t.not(cacheKey(rootInputs(validateIsoConfig({ locale: 'de_DE.UTF-8' }))), base, 'locales');
  t.not(cacheKey(rootInputs(validateIsoConfig({}), 1_764_115_200)), base, 'SOURCE_DATE_EPOCH sets the times in the tarball');
  t.is(cacheKey(rootInputs(validateIsoConfig({}), undefined)), base, 'without it, the key builds always had');
});

test('a miss says why: nothing cached, or which inputs changed and how', (t) => {
  t.is(missReason(undefined, { a: 1 }), 'nothing cached yet');
  t.is(missReason({ packages: ['a', 'b'], mirror: 'x' }, { packages: ['a', 'c'], mirror: 'x' }), 'packages changed (+c -b)');
  t.is(missReason({ mirror: 'http://a' }, { mirror: 'http://b' }), 'mirror changed ("http://a" → "http://b")');
  t.is(missReason({ a: 1 }, { a: 1 }), 'the cached entry is missing or incomplete');
});

test('defaults: LIFEBOAT_CACHE, then /var/cache/lifeboat for root, then the user cache', (t) => {
  t.is(defaultCacheDir({ LIFEBOAT_CACHE: '/x/c' }, 1000), '/x/c');
  t.is(defaultCacheDir({}, 0), '/var/cache/lifeboat');
  t.is(defaultCacheDir({ XDG_CACHE_HOME: '/home/u/.c' }, 1000), '/home/u/.c/lifeboat');
});

test('TreeCache: miss, commit, hit; the next miss compares with the newest entry; prune keeps the newest', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-cache-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cache = new TreeCache<{ inputs: Record<string, unknown> }>(dir);
  const a = { packages: ['x', 'y'] };
  const miss = await cache.lookup(a);
  t.false(miss.hit);
  if (miss.hit) return;
  t.is(miss.reason, 'nothing cached yet');
  const partial = await cache.begin(miss.key);
  await writeFile(path.join(partial, 'root.tar'), 'tar');
  await cache.commit(miss.key, partial, { inputs: a });
  const hit = await cache.lookup(a);
  t.true(hit.hit);
  if (hit.hit) t.true(existsSync(path.join(hit.entry.dir, 'root.tar')));
  const refresh = await cache.lookup(a, true);
  t.false(refresh.hit);
  if (!refresh.hit) t.regex(refresh.reason, /refresh/);
  const b = { packages: ['x', 'z'] };
  const other = await cache.lookup(b);
  t.false(other.hit);
  if (other.hit) return;
  t.is(other.reason, 'packages changed (+z -y)');
  await cache.commit(other.key, await cache.begin(other.key), { inputs: b });
  await cache.begin('abandoned'); // a partial directory of this (live) process stays
  // A dead build's partial directories go: pid 1 with another start time (a container's earlier run: every build in
  // a container is pid 1, and the host's pid 1 is alive), and a bare pid (older builds) that no process has.
  await mkdir(path.join(dir, '.container.partial-1-1'));
  await mkdir(path.join(dir, `.old.partial-${2 ** 22 + 7}`));
  await mkdir(path.join(dir, '.oldcontainer.partial-1'));
  const removed = await cache.prune(1, other.key);
  t.deepEqual(removed.sort(), ['.container.partial-1-1', `.old.partial-${2 ** 22 + 7}`, '.oldcontainer.partial-1', miss.key].sort());
  t.deepEqual((await readdir(dir)).sort(), [`.abandoned.partial-${processStamp()}`, 'last.json', other.key].sort());
});

test('TreeCache: a second commit of a key keeps the first entry, a refresh replaces it', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-cache-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cache = new TreeCache<{ inputs: Record<string, unknown>; n: number }>(dir);
  const a = { packages: ['x'] };
  const miss = await cache.lookup(a);
  if (miss.hit) return t.fail('an empty cache hit');
  const fill = async (n: number): Promise<string> => {
    const partial = await cache.begin(miss.key);
    await writeFile(path.join(partial, 'root.tar'), `tar ${n}`);
    return partial;
  };
  await cache.commit(miss.key, await fill(1), { inputs: a, n: 1 });
  const raced = await cache.commit(miss.key, await fill(2), { inputs: a, n: 2 });
  t.is(raced.meta.n, 1, 'a build that raced another one uses the entry already there');
  t.is(await readFile(path.join(cache.entryDir(miss.key), 'root.tar'), 'utf8'), 'tar 1');
  const refreshed = await cache.commit(miss.key, await fill(3), { inputs: a, n: 3 }, true);
  t.is(refreshed.meta.n, 3);
  t.is(await readFile(path.join(cache.entryDir(miss.key), 'root.tar'), 'utf8'), 'tar 3', '--refresh: the new bootstrap is the one used');
  t.deepEqual((await readdir(dir)).sort(), ['last.json', miss.key].sort(), 'no leftovers');
});

test('TreeCache: a lookup removes the partial directories of builds that ended, and keeps a live one', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-cache-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cache = new TreeCache<{ inputs: Record<string, unknown> }>(dir);
  const live = await cache.begin('building');
  for (const name of ['.a.partial-1-1', '.b.partial-1', `.c.partial-${2 ** 22 + 9}-5`]) await mkdir(path.join(dir, name));
  await cache.lookup({ packages: ['x'] });
  t.deepEqual(await readdir(dir), [path.basename(live)]);
});

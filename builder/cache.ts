// The build cache: where it lives, keys that hash what shapes a cached tree, and why a lookup missed.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { processAlive, processStamp, stampAlive } from '../core/process-identity.js';

/** LIFEBOAT_CACHE, else /var/cache/lifeboat for root, else $XDG_CACHE_HOME/lifeboat or ~/.cache/lifeboat. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, uid: number = process.getuid?.() ?? 0): string {
  if (env['LIFEBOAT_CACHE']) return path.resolve(env['LIFEBOAT_CACHE']);
  if (uid === 0) return '/var/cache/lifeboat';
  return path.join(env['XDG_CACHE_HOME'] || path.join(homedir(), '.cache'), 'lifeboat');
}

/** JSON with object keys sorted at every level, so equal inputs hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** sha256 (hex) of the canonical JSON of the inputs. */
export function cacheKey(inputs: object): string {
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex');
}

/** Why a cached tree made from `previous` does not serve `current`, in words: which inputs changed and how. */
export function missReason(previous: Record<string, unknown> | undefined, current: Record<string, unknown>): string {
  if (!previous) return 'nothing cached yet';
  const changes: string[] = [];
  for (const key of [...new Set([...Object.keys(previous), ...Object.keys(current)])].sort()) {
    const before = previous[key];
    const after = current[key];
    if (canonicalJson(before) === canonicalJson(after)) continue;
    if (Array.isArray(before) && Array.isArray(after)) {
      const added = after.filter((x) => !before.some((y) => canonicalJson(y) === canonicalJson(x)));
      const removed = before.filter((x) => !after.some((y) => canonicalJson(y) === canonicalJson(x)));
      const parts = [...added.map((x) => `+${String(x)}`), ...removed.map((x) => `-${String(x)}`)];
      changes.push(`${key} changed${parts.length > 0 ? ` (${parts.join(' ')})` : ' (order)'}`);
    } else {
      changes.push(`${key} changed (${JSON.stringify(before)} → ${JSON.stringify(after)})`);
    }
  }
  return changes.length > 0 ? changes.join('; ') : 'the cached entry is missing or incomplete';
}

export interface CachedTree<Meta> {
  key: string;
  dir: string;
  meta: Meta;
}

export type Lookup<Meta> = { hit: true; entry: CachedTree<Meta> } | { hit: false; key: string; dir: string; reason: string };

/**
 * A folder of cached trees, one directory per key holding `meta.json` (written last, so a directory without it is
 * incomplete) and `last.json`, the inputs of the newest entry, to explain the next miss.
 */
export class TreeCache<Meta extends { inputs: Record<string, unknown> }> {
  constructor(readonly dir: string) {}

  entryDir(key: string): string {
    return path.join(this.dir, key);
  }

  async lookup(inputs: Record<string, unknown>, refresh = false): Promise<Lookup<Meta>> {
    await this.removeStalePartials();
    const key = cacheKey(inputs);
    const dir = this.entryDir(key);
    const metaFile = path.join(dir, 'meta.json');
    if (!refresh && existsSync(metaFile)) {
      const meta = JSON.parse(await readFile(metaFile, 'utf8')) as Meta;
      const now = new Date();
      await utimes(metaFile, now, now); // marks it used, for prune()
      return { hit: true, entry: { key, dir, meta } };
    }
    if (refresh) return { hit: false, key, dir, reason: 'a refresh was asked for (--refresh)' };
    let last: Record<string, unknown> | undefined;
    try {
      last = (JSON.parse(await readFile(path.join(this.dir, 'last.json'), 'utf8')) as { inputs: Record<string, unknown> }).inputs;
    } catch {
      last = undefined;
    }
    return { hit: false, key, dir, reason: missReason(last, inputs) };
  }

  /** A fresh directory to fill for `key`; commit() moves it into place. */
  async begin(key: string): Promise<string> {
    // Named by this process's pid and start time: in a container every build is pid 1, so a pid alone would keep a
    // dead build's partial directory (hundreds of MB) alive forever.
    const partial = path.join(this.dir, `.${key}.partial-${processStamp()}`);
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    return partial;
  }

  /**
   * Writes meta.json into the filled directory and renames it to its key; records it as the newest. When another
   * build committed the same key meanwhile, its entry stays (it may be in use) and this one is dropped, unless
   * `replace` (a refresh): then the new entry takes the key and the old one is removed (a build reading it keeps
   * its open files).
   */
  async commit(key: string, partial: string, meta: Meta, replace = false): Promise<CachedTree<Meta>> {
    const dir = this.entryDir(key);
    if (replace && existsSync(dir)) {
      const old = path.join(this.dir, `.${key}.replaced-${process.pid}`);
      await rm(old, { recursive: true, force: true });
      await rename(dir, old);
      await rm(old, { recursive: true, force: true });
    }
    if (existsSync(path.join(dir, 'meta.json'))) {
      await rm(partial, { recursive: true, force: true });
      return { key, dir, meta: JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as Meta };
    }
    const metaFile = path.join(partial, 'meta.json');
    await writeFile(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
    const now = new Date();
    await utimes(metaFile, now, now); // the same clock as lookup()'s marks (the filesystem's lags by a few ms)
    await rm(dir, { recursive: true, force: true }); // an incomplete entry (no meta.json)
    await rename(partial, dir);
    await writeFile(path.join(this.dir, 'last.json'), `${JSON.stringify({ key, inputs: meta.inputs }, null, 2)}\n`);
    return { key, dir, meta };
  }

  /** Removes the partial directories of builds that have ended (crashed or killed); returns their names. */
  async removeStalePartials(): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!name.startsWith('.') || !name.includes('.partial-')) continue;
      const owner = name.split('.partial-')[1] ?? '';
      // "PID-TICKS" since the stamp; a bare pid from older builds: alive while any process has that pid, but for
      // pid 1, which only a container's build had (a build is never a host's init) and which is always alive.
      const bare = /^\d+$/.test(owner) ? Number(owner) : undefined;
      if (bare !== undefined ? bare !== 1 && processAlive(bare) : stampAlive(owner)) continue;
      await rm(path.join(this.dir, name), { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }

  /** Removes all but the `keep` most recently used entries (and stale partial directories). */
  async prune(keep: number, inUse: string): Promise<string[]> {
    const removed = await this.removeStalePartials();
    const entries: { name: string; mtime: number }[] = [];
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (name === 'last.json' || name.includes('.partial-')) continue;
      const full = path.join(this.dir, name);
      entries.push({ name, mtime: (await stat(path.join(full, 'meta.json')).catch(() => stat(full))).mtimeMs });
    }
    entries.sort((a, b) => b.mtime - a.mtime);
    for (const { name } of entries.slice(keep)) {
      if (name === inUse) continue;
      await rm(path.join(this.dir, name), { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }
}

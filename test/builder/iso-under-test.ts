// Test helper: the ISO the slow builder suites boot. LIFEBOAT_TEST_ISO=file names one; otherwise the default ISO is
// built once into /var/tmp/lifeboat-test-iso (LIFEBOAT_TEST_ISO_DIR) and reused while the sources it was built from
// (builder, iso-config, cli, imager, rescue-ui, the package files) have not changed.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIso } from '../../builder/build.js';
import { processAlive } from '../../core/process-identity.js';
import { Runner } from '../../core/runner/run.js';
import { defaultIsoConfig } from '../../iso-config/load.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const isoDir = process.env['LIFEBOAT_TEST_ISO_DIR'] ?? '/var/tmp/lifeboat-test-iso';

/** LIFEBOAT_SKIP_ISO_BOOT=1 skips the suites that boot the ISO. */
export const skipIsoBoot = process.env['LIFEBOAT_SKIP_ISO_BOOT'] === '1';

/** A hash of everything that goes into the ISO from this repository, to know when a built ISO is stale. */
async function sourcesHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const top of ['core', 'builder', 'iso-config', 'cli', 'live', 'imager', 'rescue-ui']) {
    const files = (await readdir(path.join(repo, top), { recursive: true })).filter((f) => /\.(ts|tsx|json)$/.test(f)).sort();
    for (const f of files) hash.update(`${top}/${f}\0`).update(await readFile(path.join(repo, top, f)));
  }
  for (const f of ['package.json', 'package-lock.json']) hash.update(await readFile(path.join(repo, f)));
  return hash.digest('hex');
}

/** One build at a time: the suites run in parallel worker processes and would build into the same directory. */
export async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  await mkdir(isoDir, { recursive: true });
  const lock = path.join(isoDir, 'build.lock');
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(await readFile(lock, 'utf8').catch(() => ''));
      if (pid && !processAlive(pid)) await rm(lock, { force: true });
      else await sleep(2000);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

/** The ISO under test: LIFEBOAT_TEST_ISO, or the default ISO built from these sources (built now if missing or stale). */
export async function isoUnderTest(log: (line: string) => void): Promise<string> {
  const given = process.env['LIFEBOAT_TEST_ISO'];
  if (given) return given;
  const stamp = await sourcesHash();
  return withBuildLock(async () => {
    const stampFile = path.join(isoDir, 'sources.sha256');
    const existing = existsSync(stampFile) ? (await readFile(stampFile, 'utf8')).trim().split('  ') : [];
    if (existing[0] === stamp && existing[1] && existsSync(existing[1])) {
      log(`reusing ${existing[1]} (built from these sources)`);
      return existing[1];
    }
    const r = await buildIso({
      config: defaultIsoConfig(),
      out: isoDir,
      runner: new Runner(),
      emit: (e) => {
        if (e.type === 'stage-done') log(`${e.stage}: ${e.seconds.toFixed(1)} s${e.note ? ` (${e.note})` : ''}`);
        if (e.type === 'note') log(`  ${e.message}`);
      },
    });
    log(`built ${r.iso}: ${(r.bytes / 1024 / 1024).toFixed(0)} MiB in ${r.seconds.toFixed(0)} s`);
    await writeFile(stampFile, `${stamp}  ${r.iso}\n`);
    return r.iso;
  });
}

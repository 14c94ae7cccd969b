// lifeboat iso schema | config: what a user sees (the built command, dist/cli/main.js).
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatBuildEvent } from '../../cli/commands/iso.js';
import { lifeboat, repoRoot } from '../helpers/cli.js';

test('iso config --default prints default.json (without its $schema line)', async (t) => {
  const r = await lifeboat(['iso', 'config', '--default']);
  t.is(r.exitCode, 0, r.stderr);
  const file = JSON.parse(readFileSync(path.join(repoRoot, 'iso-config/default.json'), 'utf8')) as Record<string, unknown>;
  delete file['$schema'];
  t.deepEqual(JSON.parse(r.stdout), file);
});

test('iso schema prints the JSON Schema', async (t) => {
  const r = await lifeboat(['iso', 'schema']);
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), JSON.parse(readFileSync(path.join(repoRoot, 'iso-config/schema.json'), 'utf8')));
});

test('a broken config: exit 2, one line naming the file, the path, what was found and what is allowed', async (t) => {
  const file = path.join(repoRoot, 'test/iso-config/invalid/unknown-nested-key.json');
  for (const args of [['iso', 'config', '--config', file], ['iso', 'build', '--config', file, '--out', '/nonexistent/never']]) {
    const r = await lifeboat(args);
    t.is(r.exitCode, 2);
    t.is(r.stderr.split('\n')[0], `lifeboat: ${file}: /boot/timout: unknown key (did you mean "timeout"?); allowed keys here: timeout, default, kernelParams, entries`);
  }
  const missing = await lifeboat(['iso', 'build', '--config', '/nonexistent/c.json']);
  t.is(missing.exitCode, 3);
  const neither = await lifeboat(['iso', 'config']);
  t.is(neither.exitCode, 2);
});

test('build progress lines: stage, time and note; tool output only when verbose', (t) => {
  t.is(formatBuildEvent({ type: 'stage-start', stage: 'make squashfs', index: 8, total: 12 }, false), '[ 8/12] make squashfs ...');
  t.is(formatBuildEvent({ type: 'stage-done', stage: 'make squashfs', index: 8, total: 12, seconds: 27.46, note: '205 MiB, zstd' }, false), '[ 8/12] make squashfs: 27.5 s (205 MiB, zstd)');
  t.is(formatBuildEvent({ type: 'stage-skipped', stage: 'configure ssh', index: 7, total: 12, reason: 'ssh is off' }, false), '[ 7/12] configure ssh: skipped (ssh is off)');
  t.is(formatBuildEvent({ type: 'output', stage: 'bootstrap root', line: 'I: extracting archives...' }, false), undefined);
  t.is(formatBuildEvent({ type: 'output', stage: 'bootstrap root', line: 'I: extracting archives...' }, true), '      | I: extracting archives...');
  t.is(
    formatBuildEvent({ type: 'build-done', iso: 'dist-iso/l.iso', bytes: 275378176, sha256: 'ab', seconds: 45, stages: [] }, false),
    'dist-iso/l.iso: 263 MiB (275378176 bytes) in 0:45\n  sha256 ab',
  );
});

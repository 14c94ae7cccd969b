// lifeboat iso schema | config: what a user sees (the built command, dist/bundle/lifeboat.mjs).
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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

test('a binary file as --config: exit 2, one printable line (control bytes shown as escapes), then the hint', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lifeboat-binary-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config.json');
  // An ELF-like header, every byte value, and a long tail: what `--config /bin/true` would give.
  writeFileSync(file, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x1b, 0x5b, 0x32, 0x4a]), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.alloc(100_000, 0)]));
  for (const args of [['iso', 'config', '--config', file], ['iso', 'build', '--config', file, '--out', path.join(dir, 'never')]]) {
    const r = await lifeboat(args);
    t.is(r.exitCode, 2, r.stderr);
    const lines = r.stderr.split('\n').filter(Boolean);
    t.is(lines.length, 2, r.stderr);
    t.true(lines[0]!.startsWith(`lifeboat: ${file}: not JSON: Unexpected token`), lines[0]);
    t.regex(lines[0]!, /\\x7fELF\\x02\\x01\\x01\\x00/, 'the bytes it found are quoted as escapes');
    t.notRegex(r.stderr, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, 'no control byte reaches the terminal');
    t.true(lines[0]!.length < 500, 'the quote is cut');
    t.regex(lines[1]!, /^ {2}hint: /);
  }
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

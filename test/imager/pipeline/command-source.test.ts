// The export pipeline's source: a command's stdout (a stand-in for restic dump) through zstd into pieces. The stream
// is held to its expected size and SHA-256 as it passes; a command that fails is reported in its own words.
import test from 'ava';
import { execa } from 'execa';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CommandError, InvalidImageError } from '../../../core/errors.js';
import { Runner } from '../../../core/runner/run.js';
import { codecs } from '../../../imager/codec/codecs.js';
import { runPipeline } from '../../../imager/pipeline/run.js';
import { composePipeline, describePipeline } from '../../../imager/pipeline/stages.js';

async function setUp(t: { teardown(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-command-source-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const data = Buffer.concat([randomBytes(3 * 1024 * 1024), Buffer.alloc(2 * 1024 * 1024)]);
  const file = path.join(dir, 'stream');
  await writeFile(file, data);
  const out = path.join(dir, 'out');
  await execa('mkdir', [out]);
  return { dir, data, file, out, expect: { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') } };
}

const spec = (argv: string[], expect: { bytes: number; sha256: string } | undefined, out: string, splitBytes?: number) =>
  composePipeline({ direction: 'export', support: 'partclone', codec: codecs.zstd, level: 3, input: { file: 'p1.ext4-ptcl-img.uncomp', argv, expect }, output: { dir: out, base: 'p1.ext4-ptcl-img.zst', splitBytes } });

test('export: command-source → compress → hash → file, or pieces', (t) => {
  t.is(describePipeline(spec(['restic', 'dump', 'x', '/f'], undefined, '/o')), 'command-source(restic) → compress(zstd) → hash → file');
  t.is(describePipeline(spec(['restic', 'dump', 'x', '/f'], undefined, '/o', 1000)), 'command-source(restic) → compress(zstd) → hash → pieces(1000)');
});

test('the stream is compressed into pieces whose digests are of their bytes, and it decompresses to the stream', async (t) => {
  const { data, file, out, expect } = await setUp(t);
  let seen = 0;
  const { digests } = await runPipeline(spec(['cat', file], expect, out, 1024 * 1024), { runner: new Runner(), onSourceBytes: (n) => (seen = n) });
  t.is(seen, data.length, 'every byte counted');
  const pieces = (await readdir(out)).sort();
  t.deepEqual([...digests.keys()].sort(), pieces);
  t.true(pieces.length >= 2 && pieces[0] === 'p1.ext4-ptcl-img.zst.aa');
  const joined = await execa('sh', ['-c', `cat ${pieces.map((p) => path.join(out, p)).join(' ')} | zstd -d -c`], { encoding: 'buffer' });
  t.true(Buffer.from(joined.stdout as Uint8Array).equals(data));
});

test('a stream that differs from its expected digest fails, naming the file', async (t) => {
  const { dir, file, out, expect } = await setUp(t);
  const e = await t.throwsAsync(runPipeline(spec(['cat', file], { ...expect, sha256: '0'.repeat(64) }, out), { runner: new Runner() }));
  t.true(e instanceof InvalidImageError, String(e));
  t.is((e as InvalidImageError).file, 'p1.ext4-ptcl-img.uncomp');
  const other = path.join(dir, 'other');
  await execa('mkdir', [other]);
  const short = await t.throwsAsync(runPipeline(spec(['head', '-c', '1000', file], expect, other), { runner: new Runner() }));
  t.regex(String(short?.message), /read back as 1000 bytes/);
});

test('a command that fails is reported as its own failure, not as a digest mismatch', async (t) => {
  const { out, expect } = await setUp(t);
  const e = await t.throwsAsync(runPipeline(spec(['sh', '-c', 'head -c 5000 /dev/urandom; echo "Fatal: wrong password or no key found" >&2; exit 1'], expect, out), { runner: new Runner() }));
  t.true(e instanceof CommandError, String(e));
  t.regex((e as CommandError).stderrTail, /wrong password/);
});

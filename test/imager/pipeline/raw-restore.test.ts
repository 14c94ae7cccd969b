// An uncompressed raw image (files -> block device, no process in between) is restored and the pipeline returns:
// the device's handle is closed after the write stream on it is done (it once waited forever on that stream).
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../../../core/runner/run.js';
import { codecs } from '../../../imager/codec/codecs.js';
import { runPipeline } from '../../../imager/pipeline/run.js';
import { composePipeline } from '../../../imager/pipeline/stages.js';
import { makeSparse, scratch } from '../../helpers/loop.js';

test('an uncompressed raw image in two pieces is written onto its target, and runPipeline returns', async (t) => {
  const { dir } = await scratch(t);
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const pieces = [path.join(dir, 'p6.dd-ptcl-img.uncomp.aa'), path.join(dir, 'p6.dd-ptcl-img.uncomp.ab')];
  await writeFile(pieces[0]!, data.subarray(0, 2 * 1024 * 1024));
  await writeFile(pieces[1]!, data.subarray(2 * 1024 * 1024));
  const target = path.join(dir, 'target');
  await makeSparse(target, 4);
  const stages = composePipeline({ direction: 'restore', support: 'raw', codec: codecs.none, files: pieces, target });
  t.deepEqual(stages.map((s) => s.kind), ['files', 'block-device']);
  let seen = 0;
  await runPipeline(stages, { runner: new Runner(), onSourceBytes: (n) => (seen = n) });
  t.is(seen, data.length);
  t.true((await readFile(target)).subarray(0, data.length).equals(data));
});

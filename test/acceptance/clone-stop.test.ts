// A clone stopped midway (SIGTERM while partclone copies): exit 130 and "stopped", the source byte-identical and
// read-write again (its read-only hold is put back on the way out), the target said to be incomplete.
import test from 'ava';
import { execa } from 'execa';
import path from 'node:path';
import { jsonLines, lifeboatBin } from '../helpers/cli.js';
import { attach, ext4Disk, fileHash, makeSparse, scratch } from '../helpers/loop.js';

test.serial('SIGTERM mid-clone: exit 130, "stopped", the source untouched and read-write again', async (t) => {
  const { dir, attached } = await scratch(t);
  // Incompressible data, as in stop.test.ts: the copy lasts well past partclone's first progress tick.
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 1400, label: 'stopme', randomMiB: 1200 });
  const before = await fileHash(source.file);
  await makeSparse(path.join(dir, 'target.img'), 1500);
  const target = await attach(path.join(dir, 'target.img'));
  attached.push(target);
  const child = execa('node', [lifeboatBin, 'clone', source.device, target.device, '--yes', '--json'], { reject: false, buffer: true });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.includes('"type":"progress"')) resolve();
    });
    void child.then(() => reject(new Error(`the clone ended before its first progress event:\n${seen}`)), reject);
  });
  // Under way: the source is held read-only by the job.
  t.is((await execa('blockdev', ['--getro', source.device])).stdout.trim(), '1');
  child.kill('SIGTERM');
  const r = await child;
  t.is(r.exitCode, 130, String(r.stderr));
  t.regex(String(r.stderr), new RegExp(`^lifeboat: stopped: clone interrupted after: .*; ${target.device} is incomplete \\(${source.device} was only read\\)$`, 'm'));
  t.is(jsonLines(String(r.stdout)).find((l) => l['type'] === 'error')?.['kind'], 'interrupted');
  for (const dev of [source.device, source.part(1)]) t.is((await execa('blockdev', ['--getro', dev])).stdout.trim(), '0', `${dev} is read-write again`);
  t.is(await fileHash(source.file), before, 'the source is byte-identical');
});

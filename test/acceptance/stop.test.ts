// Acceptance 4: SIGINT or SIGTERM during backup, restore or verify: exit 130 and "stopped", no partial image, no "damaged" verdict.
import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { jsonLines, lifeboat, lifeboatBin } from '../helpers/cli.js';
import { ext4Disk, makeSparse, attach, scratch } from '../helpers/loop.js';

/** Resolves once the job printed its first progress event (--json): the job is under way, partclone running. */
function firstProgress(child: ResultPromise): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.includes('"type":"progress"')) resolve();
    });
    void child.then(() => reject(new Error(`the job ended before its first progress event:\n${seen}`)), reject);
  });
}

async function stopMidway(args: string[], signal: 'SIGINT' | 'SIGTERM') {
  const child = execa('node', [lifeboatBin, ...args, '--json'], { reject: false, buffer: true });
  await firstProgress(child);
  child.kill(signal);
  const r = await child;
  return { exitCode: r.exitCode, stderr: String(r.stderr), stdout: String(r.stdout), errorLine: jsonLines(String(r.stdout)).find((l) => l['type'] === 'error') };
}

test.serial('SIGINT and SIGTERM mid-job: backup, restore and verify end with exit 130 and "stopped"; nothing partial, nothing "damaged"', async (t) => {
  const { dir, attached } = await scratch(t);
  // Incompressible data, so each job lasts well beyond partclone's first progress tick (one a second): with 400 MiB
  // a quiet machine restored the whole partition in 2 s before the first tick reached the test.
  const source = await ext4Disk(attached, path.join(dir, 'source.img'), { sizeMiB: 1400, label: 'stopme', randomMiB: 1200 });
  const store = path.join(dir, 'store');
  await execa('mkdir', ['-p', store]);
  const image = path.join(store, 'image');
  const made = await lifeboat(['backup', source.device, image]);
  t.is(made.exitCode, 0, made.stderr);
  await makeSparse(path.join(dir, 'target.img'), 1500);
  const target = await attach(path.join(dir, 'target.img'));
  attached.push(target);
  const storeBefore = (await readdir(store)).sort();

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const backup = await stopMidway(['backup', source.device, path.join(store, `again-${signal}`)], signal);
    t.is(backup.exitCode, 130, `backup ${signal}: ${backup.stderr}`);
    t.regex(backup.stderr, /^lifeboat: stopped: backup interrupted; the partial image was removed$/m, `backup ${signal}`);
    t.is(backup.errorLine?.['kind'], 'interrupted');
    t.deepEqual((await readdir(store)).sort(), storeBefore, `backup ${signal}: no image and no partial folder left`);

    const restore = await stopMidway(['restore', image, target.device, '--yes'], signal);
    t.is(restore.exitCode, 130, `restore ${signal}: ${restore.stderr}`);
    t.regex(restore.stderr, new RegExp(`^lifeboat: stopped: restore interrupted after: .*; ${target.device} is incomplete$`, 'm'), `restore ${signal}`);
    t.notRegex(restore.stderr + restore.stdout, /damaged/, `restore ${signal}`);

    const verify = await stopMidway(['verify', image], signal);
    t.is(verify.exitCode, 130, `verify ${signal}: ${verify.stderr}`);
    t.regex(verify.stderr, /^lifeboat: stopped: verify of .* interrupted before it finished; this says nothing about the image$/m, `verify ${signal}`);
    t.notRegex(verify.stderr + verify.stdout, /damaged/, `verify ${signal}: a stopped verify is no verdict`);
    t.is(verify.errorLine?.['kind'], 'interrupted');
  }
  t.deepEqual((await readdir(store)).sort(), storeBefore);
  const again = await lifeboat(['verify', image]);
  t.is(again.exitCode, 0, `the image is still good: ${again.stderr}`);
});

// The passphrase typed at a terminal (a real pty, node-pty): a new encrypted image asks twice without echo and
// refuses two different answers with nothing written; restore asks once for both its plan and its run, and a wrong
// answer is exit 10 with nothing written.
import test from 'ava';
import { execa } from 'execa';
import * as pty from 'node-pty';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { lifeboatBin } from '../helpers/cli.js';
import { attach, fileHash, makeSparse, scratch, withMount } from '../helpers/loop.js';

/** Runs lifeboat under a pty; answers each prompt (matched in order) with a line; returns the exit code and the output. */
async function typed(args: string[], env: Record<string, string>, answers: Array<[RegExp, string]>): Promise<{ exitCode: number; output: string }> {
  const p = pty.spawn(process.execPath, [lifeboatBin, ...args], { name: 'xterm', cols: 200, rows: 50, env: { ...process.env, ...env } as Record<string, string> });
  let output = '';
  let next = 0;
  let seenUpTo = 0;
  p.onData((d) => {
    output += d;
    const a = answers[next];
    if (a && a[0].test(output.slice(seenUpTo))) {
      next++;
      seenUpTo = output.length;
      p.write(`${a[1]}\r`);
    }
  });
  const exitCode = await new Promise<number>((resolve) => p.onExit((e) => resolve(e.exitCode)));
  return { exitCode, output };
}

test.serial('a new encrypted image asks twice without echo; different answers are refused; restore asks once; a wrong one is exit 10', async (t) => {
  const { dir, attached } = await scratch(t);
  const stores = path.join(dir, 'stores');
  await mkdir(stores);
  const env = { LIFEBOAT_STORES_DIR: stores };
  await makeSparse(path.join(dir, 'src.img'), 64);
  await execa('sfdisk', ['-q', path.join(dir, 'src.img')], { input: 'label: gpt\nsize=40M\n' });
  const src = await attach(path.join(dir, 'src.img'));
  attached.push(src);
  await execa('mkfs.ext4', ['-q', '-L', 'typed', src.part(1)]);
  await withMount(src.part(1), (m) => execa('sh', ['-c', `echo typed-marker > ${m}/marker.txt`]));
  const store = path.join(dir, 'store');
  const image = path.join(store, 'pc');

  const differ = await typed(['backup', src.device, image, '--encrypt'], env, [
    [/Passphrase for the encrypted image .*pc/, 'first secret'],
    [/The same passphrase again/, 'second secret'],
  ]);
  t.is(differ.exitCode, 2, differ.output);
  t.regex(differ.output, /lifeboat: the two passphrases typed differ: nothing was written/);
  t.deepEqual(await readdir(store).catch(() => []), [], 'no image and no partial folder');

  const made = await typed(['backup', src.device, image, '--encrypt'], env, [
    [/Passphrase for the encrypted image .*pc/, 'typed secret'],
    [/The same passphrase again/, 'typed secret'],
  ]);
  t.is(made.exitCode, 0, made.output);
  t.notRegex(made.output, /typed secret/, 'the passphrase is not echoed');
  t.true((await readdir(image)).includes('gocryptfs.info'));

  await makeSparse(path.join(dir, 'target.img'), 64);
  const target = await attach(path.join(dir, 'target.img'));
  attached.push(target);
  const before = await fileHash(target.file);
  const wrong = await typed(['restore', image, target.device, '--yes'], env, [[/Passphrase of the encrypted image .*pc/, 'not the secret']]);
  t.is(wrong.exitCode, 10, wrong.output);
  t.regex(wrong.output, /lifeboat: wrong passphrase for the encrypted image .*pc: nothing was read or written/);
  t.is(await fileHash(target.file), before, 'nothing was written to the target');

  // Asked once: the restore's plan and its run open the image with the same answer.
  const restored = await typed(['restore', image, target.device, '--yes'], env, [[/Passphrase of the encrypted image .*pc/, 'typed secret']]);
  t.is(restored.exitCode, 0, restored.output);
  t.is((restored.output.match(/Passphrase of the encrypted image/g) ?? []).length, 1, 'asked once');
  t.is((await withMount(target.part(1), (m) => execa('cat', [`${m}/marker.txt`]))).stdout, 'typed-marker');
  t.deepEqual(await readdir(stores), [], 'no mount point left');
});

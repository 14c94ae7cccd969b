// In a terminal, backup shows a progress bar (partclone's progress parsed from its pty) and a closing summary.
import test from 'ava';
import * as pty from 'node-pty';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { lifeboatBin } from '../helpers/cli.js';
import { makeMbrSource } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/loop.js';

test('a terminal sees the plan, a progress bar with percent, and the result line', async (t) => {
  const dir = await tempDir();
  const src = await makeMbrSource(path.join(dir, 'src.img'));
  t.teardown(async () => {
    await src.disk.detach();
    await rm(dir, { recursive: true, force: true });
  });
  const term = pty.spawn('node', [lifeboatBin, 'backup', src.disk.device, path.join(dir, 'image')], { name: 'xterm', cols: 120, rows: 30, env: process.env as Record<string, string> });
  let out = '';
  term.onData((d) => (out += d));
  const code = await new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
  t.is(code, 0, out);
  t.regex(out, /Back up \/dev\/loop\d+ \(dos/);
  t.regex(out, /\[#+\.*\]\s+\d+\.\d%\s+loop\d+p\d/, 'a progress bar');
  t.regex(out, /Saved \/dev\/loop\d+ to .*image: [\d.]+ MiB in \d+:\d\d/);
});

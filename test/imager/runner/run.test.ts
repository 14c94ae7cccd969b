// The runner with real tiny commands: logging, typed failures, missing tools, pty lines.
import test from 'ava';
import { CommandError } from '../../../core/errors.js';
import { formatCommand, lineSplitter, Runner, type CommandLogEntry } from '../../../core/runner/run.js';

test('logs every command with its result', async (t) => {
  const log: CommandLogEntry[] = [];
  const runner = new Runner((e) => log.push(e));
  const r = await runner.run('printf', ['%s', 'hello world']);
  t.is(r.stdout, 'hello world');
  t.is(log[0]?.command, "printf %s 'hello world'");
  t.true(log[0]?.ok);
});

test('a failure is a CommandError with exit code and the tail of stderr', async (t) => {
  const runner = new Runner();
  const e = await t.throwsAsync(runner.run('sh', ['-c', 'echo first >&2; echo "the real reason" >&2; exit 3']), { instanceOf: CommandError });
  t.is(e.exitCode, 3);
  t.regex(e.message, /exited with code 3: the real reason$/);
  t.is(e.kind, 'command');
});

test('allowed exit codes count as success', async (t) => {
  const runner = new Runner();
  const r = await runner.run('sh', ['-c', 'exit 2'], { okExitCodes: [2] });
  t.is(r.exitCode, 2);
});

test('a missing tool names the Debian package to install', async (t) => {
  const runner = new Runner();
  const e = await t.throwsAsync(runner.run('partclone.nosuchfs', ['-c']), { instanceOf: CommandError });
  t.regex(e.hint ?? '', /install the Debian package 'partclone'/);
});

test('pty mode: lines split at \\r and \\n, failure typed', async (t) => {
  const runner = new Runner();
  const lines: string[] = [];
  await runner.pty('sh', ['-c', 'printf "one\\rtwo\\nthree\\n"'], { onLine: (l) => lines.push(l) });
  t.deepEqual(lines, ['one', 'two', 'three']);
  const tty: string[] = [];
  await runner.pty('sh', ['-c', 'test -t 1 && echo tty'], { onLine: (l) => tty.push(l) });
  t.deepEqual(tty, ['tty'], 'the command sees a terminal');
  const e = await t.throwsAsync(runner.pty('sh', ['-c', 'echo broken; exit 4']), { instanceOf: CommandError });
  t.is(e.exitCode, 4);
  t.regex(e.message, /broken/);
});

test('stdin input and argv quoting', async (t) => {
  const runner = new Runner();
  const r = await runner.run('cat', [], { input: 'data' });
  t.is(r.stdout, 'data');
  t.is(formatCommand('sfdisk', ['--dump', "/dev/it's"]), "sfdisk --dump '/dev/it'\\''s'");
});

test('line splitter keeps partial lines until the end', (t) => {
  const got: string[] = [];
  const s = lineSplitter((l) => got.push(l));
  s.push('ab');
  s.push('c\r\nde');
  s.end();
  t.deepEqual(got, ['abc', 'de']);
});

test('a command that fails before the caller awaits it is not an unhandled rejection; awaiting it still throws', async (t) => {
  const seen: unknown[] = [];
  const note = (e: unknown) => seen.push(e);
  process.on('unhandledRejection', note);
  try {
    const running = new Runner().start('false', []);
    await new Promise((r) => setTimeout(r, 300)); // the caller is busy (closing its pipe ends) while it fails
    await t.throwsAsync(running.done, { instanceOf: CommandError });
  } finally {
    process.off('unhandledRejection', note);
  }
  t.deepEqual(seen, []);
});

// Unmounts a FUSE mount (sshfs; gocryptfs later) through the Runner: fusermount3 -u, or fusermount -u where only
// FUSE 2's tool is installed; lazily (-z) when the mount is busy, so a release never leaves it behind.
import { readFile } from 'node:fs/promises';
import { CommandError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';

/** Whether dir is a mount point now (/proc/self/mountinfo, octal escapes decoded). */
export async function isMounted(dir: string): Promise<boolean> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const decode = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text.split('\n').some((l) => decode(l.split(' ')[4] ?? '') === dir);
}

function missingTool(e: unknown): boolean {
  return e instanceof CommandError && e.exitCode === undefined && /command not found/.test(e.stderrTail);
}

/** Unmounts dir; true when it is no longer mounted afterwards. Never throws: the Runner's log shows what failed. */
export async function unmountFuse(runner: Runner, dir: string): Promise<boolean> {
  for (const tool of ['fusermount3', 'fusermount']) {
    try {
      await runner.run(tool, ['-u', dir]);
      return true;
    } catch (e) {
      if (missingTool(e)) continue;
      if (!(await isMounted(dir))) return true;
      await runner.run(tool, ['-u', '-z', dir]).catch(() => undefined);
      return !(await isMounted(dir));
    }
  }
  return !(await isMounted(dir));
}

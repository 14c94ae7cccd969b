// Checking a filesystem without changing it (after a clone or a restore): one read-only check per filesystem family.
import type { Runner } from '../../core/runner/run.js';

/** Runs the filesystem's own read-only check on device; throws CommandError when it finds a problem. */
export type FsChecker = (runner: Runner, device: string) => Promise<void>;

/** A checker that runs one command on the device, clean only when it exits 0. */
function checkWith(program: string, args: readonly string[]): FsChecker {
  return async (runner, device) => void (await runner.run(program, [...args, device], { hint: `the copied filesystem on ${device} has errors: run ${program} on it` }));
}

// -f: check even a filesystem marked clean; -n: open it read-only and answer no to every question.
export const checkExt = checkWith('e2fsck', ['-f', '-n']);
// -n: no modify mode; exits 1 when it finds corruption.
export const checkXfs = checkWith('xfs_repair', ['-n']);
export const checkBtrfs = checkWith('btrfs', ['check', '--readonly']);
// -n: only says what it would do; exits non-zero on a volume it cannot handle.
export const checkNtfs = checkWith('ntfsfix', ['-n']);
// -n: check only, never write; exits 1 when it finds errors.
export const checkFat = checkWith('fsck.fat', ['-n']);

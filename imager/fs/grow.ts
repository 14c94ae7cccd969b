// Growing a filesystem to fill its (already grown) partition: one grower per filesystem family.
import { finishNtfs } from './finish.js';
import type { Runner } from '../../core/runner/run.js';
import type { MountSpec } from './mount-options.js';
import { withMounted } from './mounted.js';

export type Grower = (runner: Runner, device: string) => Promise<void>;

export const growExt: Grower = async (runner, device) => {
  // resize2fs wants a freshly checked filesystem; e2fsck exits 1 when it fixed something, which is fine here.
  await runner.run('e2fsck', ['-f', '-y', device], { okExitCodes: [1] });
  await runner.run('resize2fs', [device]);
};

/**
 * ntfsresize fills the partition but leaves no boot sector copy after the volume's new end (it stays where the old
 * end was, or nowhere when partclone wrote the volume): the finisher writes it from the boot sector ntfsresize wrote.
 */
export const growNtfs: Grower = async (runner, device) => {
  await runner.run('ntfsresize', ['--force', '--force', '--no-progress-bar', device], { input: 'y\n' });
  await finishNtfs(device);
};

/** A filesystem that grows only while mounted (read-write, with its mount options): argv(dir) is the grow command. */
export function growMounted(spec: MountSpec, argv: (dir: string) => [string, ...string[]]): Grower {
  return async (runner, device) => {
    await withMounted(runner, 'grow', spec, 'rw', device, async (dir) => {
      const [program, ...args] = argv(dir);
      await runner.run(program, args);
    });
  };
}

/** Nothing to do: what the restore wrote already fills the partition (swap: mkswap runs after the grow). */
export const growNothing: Grower = async () => undefined;

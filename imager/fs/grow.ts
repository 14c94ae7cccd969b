// Growing a filesystem to fill its (already grown) partition: one grower per filesystem family.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Runner } from '../../core/runner/run.js';
import { mountArgv, type MountSpec } from './mount-options.js';

export type Grower = (runner: Runner, device: string) => Promise<void>;

export const growExt: Grower = async (runner, device) => {
  // resize2fs wants a freshly checked filesystem; e2fsck exits 1 when it fixed something, which is fine here.
  await runner.run('e2fsck', ['-f', '-y', device], { okExitCodes: [1] });
  await runner.run('resize2fs', [device]);
};

export const growNtfs: Grower = async (runner, device) =>
  void (await runner.run('ntfsresize', ['--force', '--force', '--no-progress-bar', device], { input: 'y\n' }));

/** A filesystem that grows only while mounted (read-write, with its mount options): argv(dir) is the grow command. */
export function growMounted(spec: MountSpec, argv: (dir: string) => [string, ...string[]]): Grower {
  return async (runner, device) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-grow-'));
    await runner.run('mount', mountArgv(spec, 'rw', device, dir));
    try {
      const [program, ...args] = argv(dir);
      await runner.run(program, args);
    } finally {
      await runner.run('umount', [dir]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** Nothing to do: what the restore wrote already fills the partition (swap: mkswap runs after the grow). */
export const growNothing: Grower = async () => undefined;

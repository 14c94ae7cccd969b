// Grows a filesystem to fill its (already grown) partition: one entry per filesystem type.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Runner } from '../../core/runner/run.js';

type Grower = (runner: Runner, device: string) => Promise<void>;

async function whileMounted(runner: Runner, device: string, fn: (dir: string) => Promise<void>, type?: string, options: string[] = []): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-grow-'));
  await runner.run('mount', [...(type ? ['-t', type] : []), ...(options.length ? ['-o', options.join(',')] : []), device, dir]);
  try {
    await fn(dir);
  } finally {
    await runner.run('umount', [dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

const ext: Grower = async (runner, device) => {
  // resize2fs wants a freshly checked filesystem; e2fsck exits 1 when it fixed something, which is fine here.
  await runner.run('e2fsck', ['-f', '-y', device], { okExitCodes: [1] });
  await runner.run('resize2fs', [device]);
};

export const growers: Record<string, Grower> = {
  ext2: ext,
  ext3: ext,
  ext4: ext,
  // nouuid: the source disk (same filesystem UUID) may be mounted on this machine too; XFS would refuse the mount.
  xfs: (runner, device) => whileMounted(runner, device, async (dir) => void (await runner.run('xfs_growfs', [dir])), 'xfs', ['nouuid']),
  btrfs: (runner, device) => whileMounted(runner, device, async (dir) => void (await runner.run('btrfs', ['filesystem', 'resize', 'max', dir]))),
  ntfs: async (runner, device) => void (await runner.run('ntfsresize', ['--force', '--force', '--no-progress-bar', device], { input: 'y\n' })),
  swap: async () => undefined, // mkswap after the grow already fills the partition
};

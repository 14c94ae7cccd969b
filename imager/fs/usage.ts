// Offline measures of used bytes, one per filesystem family: read from the unmounted device by the filesystem's own tool.
import type { Runner } from '../../core/runner/run.js';

/** Used bytes of the filesystem on device, or undefined when the tool's output does not say. */
export type UsageProbe = (runner: Runner, device: string) => Promise<number | undefined>;

function field(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

export const extUsage: UsageProbe = async (runner, device) => {
  const { stdout } = await runner.run('dumpe2fs', ['-h', device]);
  const count = field(stdout, 'Block count');
  const free = field(stdout, 'Free blocks');
  const size = field(stdout, 'Block size');
  return count !== undefined && free !== undefined && size !== undefined ? (count - free) * size : undefined;
};

export const xfsUsage: UsageProbe = async (runner, device) => {
  const { stdout } = await runner.run('xfs_db', ['-r', '-c', 'sb 0', '-c', 'print dblocks fdblocks blocksize', device]);
  const n = (k: string) => {
    const m = new RegExp(`^${k} = (\\d+)`, 'm').exec(stdout);
    return m ? Number(m[1]) : undefined;
  };
  const d = n('dblocks');
  const f = n('fdblocks');
  const b = n('blocksize');
  return d !== undefined && f !== undefined && b !== undefined ? (d - f) * b : undefined;
};

export const ntfsUsage: UsageProbe = async (runner, device) => {
  const { stdout } = await runner.run('ntfsresize', ['--info', '--force', '--no-progress-bar', device], { okExitCodes: [1] });
  const m = /Space in use\s*:\s*(\d+) MB/.exec(stdout);
  return m ? Number(m[1]) * 1_000_000 : undefined;
};

/**
 * btrfs: the bytes its chunks take on the device (dev_item.bytes_used of the superblock), not the smaller bytes_used
 * of data and metadata inside them: a shrink must find room for every chunk it relocates.
 */
export const btrfsUsage: UsageProbe = async (runner, device) => {
  const { stdout } = await runner.run('btrfs', ['inspect-internal', 'dump-super', device]);
  const m = /^dev_item\.bytes_used\s+(\d+)/m.exec(stdout);
  return m ? Number(m[1]) : undefined;
};

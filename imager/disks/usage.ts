// Measures how many bytes a filesystem uses, without mounting it where a tool can read it offline.
import { check } from 'diskusage';
import type { Runner } from '../../core/runner/run.js';

type UsageProbe = (runner: Runner, device: string) => Promise<number | undefined>;

function field(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

const extUsage: UsageProbe = async (runner, device) => {
  const { stdout } = await runner.run('dumpe2fs', ['-h', device]);
  const count = field(stdout, 'Block count');
  const free = field(stdout, 'Free blocks');
  const size = field(stdout, 'Block size');
  return count !== undefined && free !== undefined && size !== undefined ? (count - free) * size : undefined;
};

const xfsUsage: UsageProbe = async (runner, device) => {
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

const ntfsUsage: UsageProbe = async (runner, device) => {
  const { stdout } = await runner.run('ntfsresize', ['--info', '--force', '--no-progress-bar', device], { okExitCodes: [1] });
  const m = /Space in use\s*:\s*(\d+) MB/.exec(stdout);
  return m ? Number(m[1]) * 1_000_000 : undefined;
};

/** Offline probes by filesystem type; anything else is measured only when mounted. */
const probes: Record<string, UsageProbe> = { ext2: extUsage, ext3: extUsage, ext4: extUsage, xfs: xfsUsage, ntfs: ntfsUsage };

/** Used bytes of the filesystem on device, or undefined when it cannot be measured. */
export async function usedBytes(runner: Runner, device: string, fsType: string | undefined, mountpoints: string[]): Promise<number | undefined> {
  const mp = mountpoints[0];
  if (mp) {
    const u = await check(mp);
    return u.total - u.free;
  }
  const probe = fsType ? probes[fsType] : undefined;
  if (!probe) return undefined;
  try {
    return await probe(runner, device);
  } catch {
    return undefined;
  }
}

// Which files hold given byte ranges of a filesystem: for ext2/3/4 with debugfs (icheck, then ncheck), read-only.
import type { Runner } from '../../core/runner/run.js';
import { parseIcheck, parseNcheck } from '../parse/debugfs.js';
import { blocksOf, type ByteRange } from '../rescue/ranges.js';

export interface FilesAt {
  /** The paths of the files whose data lies in the ranges (sorted). */
  files: string[];
  /** Blocks in the ranges that no file owns: free space or the filesystem's own metadata. */
  unownedBlocks: number;
  /** Not every block was looked up (more than the limit). */
  truncated: boolean;
}

/** How a filesystem tells which files hold ranges of its device. */
export type FilesAtProbe = (runner: Runner, device: string, ranges: readonly ByteRange[], blockBytes: number) => Promise<FilesAt>;

/** At most this many blocks go to one icheck (its command line, and its time on a large damaged area). */
export const filesAtBlockLimit = 4096;

/** debugfs opens the device read-only unless -w; icheck scans the inode table, ncheck the directories. */
export const extFilesAt: FilesAtProbe = async (runner, device, ranges, blockBytes) => {
  const { blocks, truncated } = blocksOf(ranges, blockBytes, filesAtBlockLimit);
  if (blocks.length === 0) return { files: [], unownedBlocks: 0, truncated };
  const owners = parseIcheck((await runner.run('debugfs', ['-R', `icheck ${blocks.join(' ')}`, device])).stdout);
  const inodes = [...new Set([...owners.values()].filter((i): i is number => i !== undefined))].sort((a, b) => a - b);
  const unownedBlocks = blocks.filter((b) => owners.get(b) === undefined).length;
  if (inodes.length === 0) return { files: [], unownedBlocks, truncated };
  const paths = parseNcheck((await runner.run('debugfs', ['-R', `ncheck ${inodes.join(' ')}`, device])).stdout);
  const files = inodes.flatMap((i) => paths.get(i) ?? [`<inode ${i}, no name>`]).sort();
  return { files, unownedBlocks, truncated };
};

// Test helper: compares two ISOs byte for byte and, when they differ, says where: the first differing offset, and
// which files of the ISO (by xorriso's extent report, run in the tools tree) or which ISO 9660 metadata it lies in.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { ToolsTree } from '../../builder/tools-tree.js';

const block = 2048;

export interface IsoDifference {
  identical: boolean;
  /** Byte offset of the first difference (or of the end of the shorter file). */
  firstOffset?: number;
  sizes: [number, number];
  /** 2048-byte blocks that differ, as [first, last] ranges. */
  ranges: [number, number][];
}

/** Reads both files side by side and records every differing 2048-byte block. */
export async function compareFiles(a: string, b: string): Promise<IsoDifference> {
  const [fa, fb] = [await open(a), await open(b)];
  try {
    const sizes: [number, number] = [(await fa.stat()).size, (await fb.stat()).size];
    const chunk = 1024 * block;
    const [ba, bb] = [Buffer.alloc(chunk), Buffer.alloc(chunk)];
    const ranges: [number, number][] = [];
    let firstOffset: number | undefined;
    for (let pos = 0; pos < Math.max(...sizes); pos += chunk) {
      const ra = (await fa.read(ba, 0, chunk, pos)).bytesRead;
      const rb = (await fb.read(bb, 0, chunk, pos)).bytesRead;
      if (ra === rb && ba.subarray(0, ra).equals(bb.subarray(0, rb))) continue;
      for (let off = 0; off < Math.max(ra, rb); off += block) {
        const x = ba.subarray(off, Math.min(off + block, ra));
        const y = bb.subarray(off, Math.min(off + block, rb));
        if (x.equals(y)) continue;
        if (firstOffset === undefined) {
          let i = 0;
          while (i < x.length && i < y.length && x[i] === y[i]) i++;
          firstOffset = pos + off + i;
        }
        const n = (pos + off) / block;
        const last = ranges.at(-1);
        if (last && last[1] === n - 1) last[1] = n;
        else ranges.push([n, n]);
      }
    }
    return { identical: ranges.length === 0, firstOffset, sizes, ranges };
  } finally {
    await fa.close();
    await fb.close();
  }
}

export interface IsoExtent {
  path: string;
  startLba: number;
  blocks: number;
}

/** Parses `xorriso -find / -exec report_lba`: "File data lba:  0 ,  155 ,  105192 , 215433216 , '/live/filesystem.squashfs'". */
export function parseReportLba(text: string): IsoExtent[] {
  const out: IsoExtent[] = [];
  for (const line of text.split('\n')) {
    const m = /^File data lba:\s*\d+\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*\d+\s*,\s*'(.*)'\s*$/.exec(line);
    if (m) out.push({ startLba: Number(m[1]), blocks: Number(m[2]), path: m[3]! });
  }
  return out.sort((x, y) => x.startLba - y.startLba);
}

/** The ISO's files and where their data lies, by the tools tree's xorriso. */
export async function isoExtents(tree: ToolsTree, iso: string): Promise<IsoExtent[]> {
  const file = path.resolve(iso);
  const r = await tree.run(['xorriso', '-indev', file, '-find', '/', '-exec', 'report_lba'], { ro: [path.dirname(file)] });
  return parseReportLba(`${r.stdout}\n${r.stderr}`);
}

/** Names what each differing block range holds: files of the ISO, or its metadata and boot records outside them. */
export function describeRanges(ranges: [number, number][], extents: IsoExtent[]): string[] {
  const names = new Set<string>();
  for (const [first, last] of ranges) {
    let inFile = false;
    for (const e of extents) {
      if (e.startLba <= last && first < e.startLba + e.blocks) {
        names.add(`${e.path} (offset ${(Math.max(first, e.startLba) - e.startLba) * block} in it)`);
        inFile = true;
      }
    }
    if (!inFile) names.add(first < 16 ? 'the system area (MBR, GPT, hybrid boot records)' : 'ISO 9660 metadata (volume descriptors, path tables, directory records, El Torito catalog)');
  }
  return [...names];
}

/** One message for a failed comparison. */
export function differenceMessage(d: IsoDifference, extents: IsoExtent[]): string {
  const blocks = d.ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
  return [
    `the ISOs differ (${d.sizes[0]} and ${d.sizes[1]} bytes): first at byte ${d.firstOffset} (block ${Math.floor((d.firstOffset ?? 0) / block)}); ${blocks} blocks of 2048 differ in ${d.ranges.length} ranges`,
    ...describeRanges(d.ranges, extents).map((n) => `  in ${n}`),
  ].join('\n');
}

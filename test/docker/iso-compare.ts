// Test helper: compares two ISOs byte for byte and, when they differ, says where: the first differing offset, and
// which files of the ISO (by xorriso's extent report, run in the tools tree) or which ISO 9660 metadata it lies in.
import { open, readdir, readFile } from 'node:fs/promises';
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

/** Names what the differing blocks hold: files of the ISO (with how many blocks and from where), or its metadata. */
export function describeRanges(ranges: [number, number][], extents: IsoExtent[]): string[] {
  const files = new Map<string, { blocks: number; from: number }>();
  const other = new Set<string>();
  for (const [first, last] of ranges) {
    let inFile = false;
    for (const e of extents) {
      const lo = Math.max(first, e.startLba);
      const hi = Math.min(last, e.startLba + e.blocks - 1);
      if (lo > hi) continue;
      inFile = true;
      const seen = files.get(e.path);
      files.set(e.path, { blocks: (seen?.blocks ?? 0) + hi - lo + 1, from: seen?.from ?? (lo - e.startLba) * block });
    }
    if (!inFile) other.add(first < 16 ? 'the system area (MBR, GPT, hybrid boot records)' : 'ISO 9660 metadata (volume descriptors, path tables, directory records, El Torito catalog)');
  }
  return [...other, ...[...files].map(([p, f]) => `${p}: ${f.blocks} blocks from its byte ${f.from}`)];
}

/** One message for a failed comparison. */
export function differenceMessage(d: IsoDifference, extents: IsoExtent[]): string {
  const blocks = d.ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
  return [
    `the ISOs differ (${d.sizes[0]} and ${d.sizes[1]} bytes): first at byte ${d.firstOffset} (block ${Math.floor((d.firstOffset ?? 0) / block)}); ${blocks} blocks of 2048 differ in ${d.ranges.length} ranges`,
    ...describeRanges(d.ranges, extents).map((n) => `  in ${n}`),
  ].join('\n');
}

/** The live system's squashfs inside the ISO. */
export const isoSquashfs = '/live/filesystem.squashfs';

/** `unsquashfs -lln` lines by path: mode, owner, size, time (and link target) as the image records them. */
function listingByPath(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\S+\s+\S+\s+\S+\s+\S+\s+\S+)\s+squashfs-root(\/.*?)(?: -> .*)?$/.exec(line);
    if (m) out.set(m[2]!, line);
  }
  return out;
}

async function regularFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  return out.sort();
}

/**
 * The paths inside the two ISOs' squashfs images whose metadata (mode, owner, size, time, link) or content differ,
 * by extracting both in the tools tree into scratch (which the caller removes).
 */
export async function squashfsDifferences(tree: ToolsTree, isoA: string, isoB: string, scratch: string): Promise<string[]> {
  const sides = await Promise.all(
    [isoA, isoB].map(async (iso, i) => {
      const file = path.resolve(iso);
      const image = path.join(scratch, `${i}.squashfs`);
      const root = path.join(scratch, String(i));
      await tree.run(['xorriso', '-osirrox', 'on', '-indev', file, '-extract', isoSquashfs, image], { ro: [path.dirname(file)], rw: [scratch] });
      const listing = listingByPath((await tree.run(['unsquashfs', '-lln', image], { ro: [scratch] })).stdout);
      await tree.run(['unsquashfs', '-quiet', '-no-progress', '-no-xattrs', '-dest', root, image], { rw: [scratch] });
      return { listing, root };
    }),
  );
  const [a, b] = sides as [(typeof sides)[0], (typeof sides)[0]];
  const changed = new Set<string>();
  for (const p of new Set([...a.listing.keys(), ...b.listing.keys()])) if (a.listing.get(p) !== b.listing.get(p)) changed.add(`${p} (${a.listing.get(p) ?? 'missing'} | ${b.listing.get(p) ?? 'missing'})`);
  for (const rel of await regularFiles(a.root)) {
    const other = path.join(b.root, rel);
    const [x, y] = await Promise.all([readFile(path.join(a.root, rel)), readFile(other).catch(() => undefined)]);
    if (y !== undefined && !x.equals(y)) changed.add(`/${rel} (content)`);
  }
  return [...changed].sort();
}

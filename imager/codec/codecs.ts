// The compression table: how each codec compresses, decompresses, and names its files the way Clonezilla does.
import { UsageError } from '../../core/errors.js';

export type Compression = 'zstd' | 'gzip' | 'xz' | 'none';

export interface Codec {
  name: Compression;
  /** Suffix in Clonezilla's file names: sda1.ext4-ptcl-img.<suffix>.aa */
  suffix: string;
  /** argv that reads stdin and writes compressed data to stdout; undefined for no compression. */
  compress(level: number | undefined): string[] | undefined;
  decompress(): string[] | undefined;
  defaultLevel: number | undefined;
  levels: [number, number] | undefined;
}

export const codecs: Record<Compression, Codec> = {
  zstd: {
    name: 'zstd',
    suffix: 'zst',
    compress: (level) => ['zstd', '-q', '-c', '-T0', `-${level ?? 3}`],
    decompress: () => ['zstd', '-q', '-d', '-c'],
    defaultLevel: 3,
    levels: [1, 19],
  },
  gzip: {
    name: 'gzip',
    suffix: 'gz',
    compress: (level) => ['pigz', '-c', `-${level ?? 6}`],
    decompress: () => ['pigz', '-d', '-c'],
    defaultLevel: 6,
    levels: [1, 9],
  },
  xz: {
    name: 'xz',
    suffix: 'xz',
    compress: (level) => ['xz', '-c', '-T0', `-${level ?? 3}`],
    decompress: () => ['xz', '-d', '-c', '-T0'],
    defaultLevel: 3,
    levels: [0, 9],
  },
  none: {
    name: 'none',
    suffix: 'uncomp',
    compress: () => undefined,
    decompress: () => undefined,
    defaultLevel: undefined,
    levels: undefined,
  },
};

const aliases: Record<string, Compression> = { zstd: 'zstd', zst: 'zstd', gzip: 'gzip', gz: 'gzip', xz: 'xz', none: 'none', uncomp: 'none' };

/** The codec for a user's word (zstd, gzip, xz, none), or a UsageError listing the choices. */
export function codecByName(name: string): Codec {
  const c = aliases[name];
  if (!c) throw new UsageError(`unknown compression '${name}'`, 'use one of: zstd, gzip, xz, none');
  return codecs[c];
}

/** The codec of a Clonezilla file-name suffix (gz, zst, xz, uncomp), if known. */
export function codecBySuffix(suffix: string): Codec | undefined {
  return Object.values(codecs).find((c) => c.suffix === suffix);
}

export function checkLevel(codec: Codec, level: number | undefined): number | undefined {
  if (level === undefined) return codec.defaultLevel;
  if (!codec.levels) throw new UsageError(`compression '${codec.name}' takes no level`);
  const [lo, hi] = codec.levels;
  if (!Number.isInteger(level) || level < lo || level > hi) throw new UsageError(`level ${level} is out of range for ${codec.name}`, `use ${lo}..${hi}`);
  return level;
}

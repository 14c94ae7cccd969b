// The stream pipeline as a value: its stages, and the one function that composes them from what a job needs.
import type { Codec } from '../codec/codecs.js';
import type { FileDigest } from '../image/manifest.js';

/**
 * Which way the data goes: a partition into an image, an image onto a partition, an image checked, or an image's
 * stream that a command prints (a repository's `restic dump`) compressed into image files.
 */
export type Direction = 'save' | 'restore' | 'check' | 'export';
/** What the filesystem's record offers: partclone's image format, or a raw copy (partclone.dd on save). */
export type Support = 'partclone' | 'raw';

export type Stage =
  /** Source: the image's files, split pieces joined back in order. */
  | { kind: 'files'; files: string[] }
  /** partclone on the far end of a FIFO (under a pty, for its progress), as the source (save) or the sink (restore). */
  | { kind: 'partclone-fifo'; end: 'source' | 'sink'; argvFor: (fifo: string) => string[] }
  /**
   * Source: a command that prints one image file's stream (`restic dump`); with `expect`, what it printed must have
   * that size and SHA-256 (the manifest's), or the pipeline fails: the stream is checked as it passes, never re-read.
   */
  | ({ kind: 'command-source'; expect?: FileDigest | undefined } & StreamCommand)
  /** partclone reading its standard input (`partclone.chkimg -s -`: it cannot seek a FIFO's path). */
  | { kind: 'partclone-stdin'; argv: string[] }
  | { kind: 'codec'; op: 'compress' | 'decompress'; argv: string[] }
  /** The slot for encryption: a filter process between the codec and the files (none yet; see Cipher). */
  | { kind: 'cipher'; op: 'encrypt' | 'decrypt'; name: string; argv: string[] }
  /** SHA-256 of every file written, taken in the stream as the bytes pass (never by reading the file back). */
  | { kind: 'hash' }
  /** Sink: image files, cut into pieces of at most splitBytes (.aa, .ab, …) when set. */
  | { kind: 'pieces'; dir: string; base: string; splitBytes: number | undefined }
  /**
   * Sink: a command that reads the image file on its stdin (an image repository's backup). It sees the end of its
   * input only once every stage before it succeeded; otherwise it is stopped first, so it never commits a cut-off
   * stream (restic exits 0 at the end of any input). The stream's SHA-256 is taken as it passes (a hash stage before).
   */
  | ({ kind: 'command' } & StreamCommand)
  /** Sink: a partition's block device, written from offset 0 (a raw image). */
  | { kind: 'block-device'; path: string }
  /** Sink: nowhere (a raw image checked by decompressing it). */
  | { kind: 'nothing' };

/** A command that takes one image file's stream on its stdin (a store that keeps streams itself: restic). */
export interface StreamCommand {
  /** The image file's name (the manifest's key for its digest). */
  file: string;
  argv: string[];
  env?: Record<string, string>;
  /** The command's stdout once it succeeded (restic's --json summary). */
  onOutput?: (stdout: string) => void;
  /** The command's failures in the store's words. */
  explain?: (e: unknown) => unknown;
}

/** Where a saved image goes: one file, or pieces of at most splitBytes (.aa, .ab, …), or a store's command. */
export interface ImageOutput {
  dir: string;
  /** File name of the image; split pieces add .aa, .ab, … */
  base: string;
  splitBytes: number | undefined;
  /** Instead of files: the stream goes to this command's stdin. */
  command?: StreamCommand | undefined;
}

/**
 * A cipher for the stream: two filter commands (stdin to stdout). None exists yet; network stores may encrypt at the
 * folder level instead (gocryptfs), and then leave this slot empty. It sits after compression (ciphertext does not
 * compress) and before the hash, so the manifest's SHA-256 is of the bytes on the store.
 */
export interface Cipher {
  name: string;
  encrypt: string[];
  decrypt: string[];
}

export interface PipelineSpec {
  direction: Direction;
  support: Support;
  codec: Codec;
  level?: number | undefined;
  /** The cipher slot; empty (no stage) when undefined. */
  cipher?: Cipher | undefined;
  /** save: where the image goes; cut into pieces when splitBytes is set. */
  output?: ImageOutput;
  /** restore, check: the image's files in order. */
  files?: string[];
  /** save, restore (partclone): partclone's argv given the FIFO's path; check (partclone): chkimg's argv reading stdin. */
  partclone?: (fifo: string) => string[];
  /** restore (raw): the target partition. */
  target?: string;
  /** export: the command that prints the stream, and the stream's size and SHA-256 to hold it to. */
  input?: (StreamCommand & { expect?: FileDigest | undefined }) | undefined;
}

/**
 * The one place that says how a job's data flows. save: partclone → compress → cipher → hash → pieces (partclone.dd
 * for raw support, which reads any device); restore: files → cipher → decompress → partclone, or the block device for
 * raw images (partclone.dd cannot size a copy from a FIFO); check: files → cipher → decompress → partclone.chkimg, or
 * nothing for raw images; export: command → compress → hash → pieces. A codec without a command (none) is no stage.
 */
export function composePipeline(spec: PipelineSpec): Stage[] {
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`composePipeline: a ${spec.direction} pipeline needs ${what}`);
    return v;
  };
  const compress = spec.codec.compress(spec.level);
  const decompress = spec.codec.decompress();
  const codecStage = (op: 'compress' | 'decompress', argv: string[] | undefined): Stage[] => (argv ? [{ kind: 'codec', op, argv }] : []);
  const c = spec.cipher;
  const cipherStage = (op: 'encrypt' | 'decrypt'): Stage[] => (c ? [{ kind: 'cipher', op, name: c.name, argv: op === 'encrypt' ? c.encrypt : c.decrypt }] : []);
  switch (spec.direction) {
    case 'save': {
      const out = need(spec.output, 'an output');
      return [{ kind: 'partclone-fifo', end: 'source', argvFor: need(spec.partclone, 'partclone') }, ...codecStage('compress', compress), ...cipherStage('encrypt'), { kind: 'hash' }, out.command ? { kind: 'command', ...out.command } : { kind: 'pieces', dir: out.dir, base: out.base, splitBytes: out.splitBytes }];
    }
    case 'restore': {
      const head: Stage[] = [{ kind: 'files', files: need(spec.files, 'files') }, ...cipherStage('decrypt'), ...codecStage('decompress', decompress)];
      if (spec.support === 'partclone') return [...head, { kind: 'partclone-fifo', end: 'sink', argvFor: need(spec.partclone, 'partclone') }];
      return [...head, { kind: 'block-device', path: need(spec.target, 'a target') }];
    }
    case 'check': {
      const head: Stage[] = [{ kind: 'files', files: need(spec.files, 'files') }, ...cipherStage('decrypt'), ...codecStage('decompress', decompress)];
      if (spec.support === 'partclone') return [...head, { kind: 'partclone-stdin', argv: need(spec.partclone, 'partclone')('-') }];
      return [...head, { kind: 'nothing' }];
    }
    case 'export': {
      const out = need(spec.output, 'an output');
      return [{ kind: 'command-source', ...need(spec.input, 'an input command') }, ...codecStage('compress', compress), ...cipherStage('encrypt'), { kind: 'hash' }, { kind: 'pieces', dir: out.dir, base: out.base, splitBytes: out.splitBytes }];
    }
  }
}

/** The stages in words, for logs and tests: "partclone-fifo(source) → compress(zstd) → hash → file". */
export function describePipeline(stages: Stage[]): string {
  return stages
    .map((s) => {
      switch (s.kind) {
        case 'codec':
          return `${s.op}(${s.argv[0]})`;
        case 'cipher':
          return `${s.op}(${s.name})`;
        case 'command':
        case 'command-source':
          return `${s.kind}(${s.argv.find((a) => !a.startsWith('/') && a !== '--') ?? s.argv[0]})`;
        case 'pieces':
          return s.splitBytes === undefined ? 'file' : `pieces(${s.splitBytes})`;
        case 'partclone-fifo':
          return `partclone-fifo(${s.end})`;
        default:
          return s.kind;
      }
    })
    .join(' → ');
}

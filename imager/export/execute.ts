// Carries out an export: a repository backup becomes a folder image in Clonezilla's layout. The small files are
// copied as the backup saved them (each held to its SHA-256), every partition stream goes from `restic dump` through
// the compressor into its file or pieces (checked against the stream's SHA-256 as it passes, hashed as written; no
// disk in between), and the manifest says complete only after the last piece; the image appears only then.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { InterruptedError, InvalidImageError, NoSpaceError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import type { Codec } from '../codec/codecs.js';
import { ProgressTracker, type EventSink } from '../events.js';
import { sha256File } from '../image/checksum.js';
import { manifestFile } from '../image/layout.js';
import { isComplete, readManifest, writeManifest, type Manifest } from '../image/manifest.js';
import { runPipeline } from '../pipeline/run.js';
import { composePipeline } from '../pipeline/stages.js';
import type { RepositoryBackup } from '../repository/dump.js';
import type { ImageWriter } from '../store/store.js';
import { exportedBase, exportedManifest, volumesOf, type ExportedVolume } from './manifest.js';

export interface ExportSpec {
  backup: RepositoryBackup;
  /** Starts the partial image on the destination store (published by rename once complete). */
  startImage(): Promise<ImageWriter>;
  /** The destination in words (for events). */
  image: string;
  /** The destination store's free bytes, checked before the first byte is written. */
  freeBytes(): Promise<number>;
  codec: Codec;
  level: number | undefined;
  splitBytes: number | undefined;
}

export async function executeExport(spec: ExportSpec, runner: Runner, onEvent: EventSink = () => {}, signal?: AbortSignal): Promise<{ manifest: Manifest }> {
  const started = Date.now();
  const { backup, codec, level, splitBytes } = spec;
  return backup.withSmallFiles(async (small) => {
    const source = await readManifest(small);
    if (!source) throw new InvalidImageError(`${backup.describe} has no ${manifestFile}`, { hint: 'it is not a Lifeboat backup; use another snapshot' });
    if (!isComplete(source)) throw new InvalidImageError(`${backup.describe} is an incomplete backup`, { hint: 'use another snapshot' });
    const volumes = volumesOf(source);
    const streams = new Set(volumes.flatMap((v) => v.entry.files!));
    const total = [...streams].reduce((n, f) => n + (source.files[f]?.bytes ?? 0), 0);
    // As a backup's plan: the streams as they are (compression usually saves more) and 2 MiB for the small files.
    const needed = total + 2 * 1024 * 1024;
    const free = await spec.freeBytes();
    if (needed > free) throw new NoSpaceError(`not enough free space at ${path.dirname(spec.image)}: ${free} bytes free, the export needs up to ${needed} bytes`, 'free space on the store, or choose another one');
    const writer = await spec.startImage();
    const dir = writer.partialDir;
    let ok = false;
    try {
      // First the manifest, in-progress: an export stopped at any point leaves a folder that says so.
      await writeManifest(dir, exportedManifest(source, { codec, level, splitBytes, volumes: [], state: 'in-progress' }));
      onEvent({ type: 'step', job: 'export', message: `copying the small files of ${backup.describe}` });
      await copySmallFiles(small, source, streams, (file, data) => writer.writeFile(file, data), backup.describe);
      onEvent({ type: 'start', job: 'export', device: backup.describe, image: spec.image, partitions: volumes.length, totalBytes: total });
      const tracker = new ProgressTracker(total);
      const done: ExportedVolume[] = [];
      for (const v of volumes) {
        for (const stream of v.entry.files!) {
          if (signal?.aborted) throw new InterruptedError('export interrupted');
          const t0 = Date.now();
          const expect = source.files[stream];
          if (!expect) throw new InvalidImageError(`${backup.describe}: the manifest has no SHA-256 of ${stream}`, { file: stream });
          const base = exportedBase(stream, codec);
          onEvent({ type: 'step', job: 'export', message: `writing ${base} (${v.name})` });
          const stages = composePipeline({ direction: 'export', support: 'partclone', codec, level, input: { ...backup.dumpCommand(stream), expect }, output: { dir, base, splitBytes } });
          let last = 0;
          const { digests } = await runPipeline(stages, {
            runner,
            ...(signal ? { signal } : {}),
            onSourceBytes: (n) => {
              // One event per 1% of the partition's stream, at most.
              const percent = expect.bytes > 0 ? (n / expect.bytes) * 100 : 100;
              if (percent - last < 1 && n < expect.bytes) return;
              last = percent;
              const overall = tracker.overall(expect.bytes, percent);
              const seconds = (Date.now() - t0) / 1000;
              onEvent({ type: 'progress', job: 'export', partition: v.name, percent, overallPercent: overall, bytesPerSecond: seconds > 0 ? n / seconds : undefined, etaSeconds: tracker.eta(overall) });
            },
          });
          tracker.finish(expect.bytes);
          done.push({ stream, digests });
          const bytes = [...digests.values()].reduce((n, d) => n + d.bytes, 0);
          onEvent({ type: 'partition-done', job: 'export', partition: v.name, bytes, seconds: (Date.now() - t0) / 1000 });
        }
      }
      const seconds = (Date.now() - started) / 1000;
      const manifest = exportedManifest(source, { codec, level, splitBytes, volumes: done, state: source.state, seconds });
      await writeManifest(dir, manifest);
      await writer.publish();
      ok = true;
      const bytes = Object.values(manifest.files).reduce((n, f) => n + f.bytes, 0);
      onEvent({ type: 'done', job: 'export', image: spec.image, device: backup.describe, seconds, bytes });
      return { manifest };
    } catch (e) {
      if (signal?.aborted) throw new InterruptedError('export interrupted; the partial image was removed');
      throw e;
    } finally {
      if (!ok) await writer.abort();
    }
  });
}

/**
 * The backup's small files into the image, each held to its SHA-256 in the manifest; every file the manifest lists
 * (other than the streams) must be there.
 */
async function copySmallFiles(small: string, source: Manifest, streams: Set<string>, put: (file: string, data: Buffer) => Promise<void>, what: string): Promise<void> {
  // Files only, with their paths below small (the kept configuration is in folders: lifeboat-config/sda2/etc.tar).
  const present = new Set((await readdir(small, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(small, path.join(e.parentPath ?? e.path, e.name))));
  for (const file of Object.keys(source.files).filter((f) => !streams.has(f))) {
    if (!present.has(file)) throw new InvalidImageError(`${what}: ${file} is missing from the backup's small files`, { file, hint: 'the backup is damaged; use another snapshot' });
  }
  for (const file of [...present].sort()) {
    if (file === manifestFile) continue;
    const want = source.files[file];
    const got = await sha256File(path.join(small, file));
    if (!want || want.sha256 !== got.sha256 || want.bytes !== got.bytes)
      throw new InvalidImageError(`${what}: ${file} does not match its SHA-256 in the manifest`, { file, hint: 'the backup is damaged; use another snapshot' });
    await put(file, await readFile(path.join(small, file)));
  }
}

// Verifies an image: every SHA-256 in the manifest, then partclone.chkimg of every partition image; names what is broken.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InterruptedError, InvalidImageError, LifeboatError } from '../../core/errors.js';
import { sha256File } from '../image/checksum.js';
import { openImage, type Image } from '../image/open.js';
import { runPipeline } from '../pipeline/run.js';
import { createScheduler } from '../pipeline/scheduler.js';
import { composePipeline } from '../pipeline/stages.js';
import type { Runner } from '../../core/runner/run.js';
import { ProgressTracker, type EventSink } from '../events.js';
import { unreadableLines } from '../rescue/partition.js';
import { lvAsPartition } from '../lvm/restore-plan.js';

export interface VerifyProblem {
  file: string;
  reason: string;
}

export interface VerifyReport {
  image: string;
  origin: Image['origin'];
  ok: boolean;
  checkedFiles: number;
  checkedPartitions: number;
  problems: VerifyProblem[];
  seconds: number;
  /** The manifest's state (complete, or complete with unreadable sectors); undefined for a Clonezilla image. */
  state?: string | undefined;
  /** The unreadable sectors the backup recorded, one line per partition (the checks pass: the filler is the data). */
  unreadable?: string[];
  /** An encrypted image (gocryptfs), checked through its plaintext view. */
  encrypted?: boolean;
}

/** Compares every file against the manifest's size and SHA-256. Fast: no decompression. */
export async function verifyChecksums(image: Image, onProgress?: (done: number, total: number, file: string) => void, signal?: AbortSignal): Promise<VerifyProblem[]> {
  const problems: VerifyProblem[] = [];
  if (!image.manifest) return problems;
  const entries = Object.entries(image.manifest.files);
  let n = 0;
  for (const [file, want] of entries) {
    if (signal?.aborted) throw stopped(image.dir);
    onProgress?.(n++, entries.length, file);
    const full = path.join(image.dir, file);
    let size: number;
    try {
      size = (await stat(full)).size;
    } catch {
      problems.push({ file, reason: 'missing' });
      continue;
    }
    if (size !== want.bytes) {
      problems.push({ file, reason: `size is ${size} bytes, the manifest says ${want.bytes}` });
      continue;
    }
    let got: { sha256: string };
    try {
      got = await sha256File(full);
    } catch (e) {
      // An encrypted image's file whose encrypted blocks fail their authentication reads as EIO through the view.
      problems.push({ file, reason: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
      continue;
    }
    if (got.sha256 !== want.sha256) problems.push({ file, reason: 'SHA-256 does not match the manifest' });
  }
  return problems;
}

/** Throws InvalidImageError naming the first broken file, if any. */
export function failOn(problems: VerifyProblem[]): void {
  const first = problems[0];
  if (first) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new InvalidImageError(`image file ${first.file} is damaged: ${first.reason}${more}`, { file: first.file, hint: 'restore from another copy of the image' });
  }
}

/** A verify that was stopped has no verdict: it must never read as "damaged" (a person might delete a good image). */
function stopped(dir: string): InterruptedError {
  return new InterruptedError(`verify of ${dir} interrupted before it finished; this says nothing about the image`);
}

/** With `signal`, a stop ends the verify with InterruptedError, never with a problem: killed checks are not verdicts. */
export async function verifyImage(dir: string, runner: Runner, onEvent: EventSink = () => {}, signal?: AbortSignal): Promise<VerifyReport> {
  try {
    return await verifyRunning(dir, runner, onEvent, signal);
  } catch (e) {
    if (signal?.aborted && !(e instanceof InterruptedError)) throw stopped(dir);
    throw e;
  }
}

async function verifyRunning(dir: string, runner: Runner, onEvent: EventSink, signal: AbortSignal | undefined): Promise<VerifyReport> {
  const started = Date.now();
  const image = await openImage(dir);
  // Partitions and the LVs of VGs saved LV by LV, each checked the same way.
  const parts = [...image.partitions, ...image.lvm.flatMap((vg) => vg.lvs.map(lvAsPartition))].filter((p) => p.files.length > 0 && p.handler);
  const total = parts.reduce((n, p) => n + p.imageBytes, 0);
  onEvent({ type: 'start', job: 'verify', device: image.diskName, image: image.dir, partitions: parts.length, totalBytes: total });
  onEvent({ type: 'step', job: 'verify', message: image.manifest ? 'checking SHA-256 of every file' : 'Clonezilla image: no manifest, checking with partclone.chkimg only' });
  const problems = await verifyChecksums(image, undefined, signal);
  const tracker = new ProgressTracker(total);
  const broken = new Set(problems.map((p) => p.file));
  // The next partition's check starts once this one's data is through (pipeline/scheduler.ts); verdicts are reported
  // in partition order. A check never rejects: its failure is a problem of that partition.
  const checks = createScheduler<VerifyProblem | undefined>();
  for (const p of parts) {
    if (signal?.aborted) break;
    const names = p.files.map((f) => path.basename(f));
    if (names.some((f) => broken.has(f))) {
      tracker.finish(p.imageBytes);
      continue; // already known bad; chkimg would only say it again
    }
    await checks.start(async (through) => {
      const t0 = Date.now();
      let counted = false;
      const onThrough = () => {
        if (!counted) tracker.finish(p.imageBytes);
        counted = true;
        through();
      };
      try {
        const handler = p.handler!;
        const onProgress = (percent: number) => {
          if (counted) return;
          const overall = tracker.overall(p.imageBytes, percent);
          onEvent({ type: 'progress', job: 'verify', partition: p.name, percent, overallPercent: overall, bytesPerSecond: undefined, etaSeconds: tracker.eta(overall) });
        };
        const stages = composePipeline({
          direction: 'check',
          support: handler.check('X') ? 'partclone' : 'raw',
          codec: image.codec,
          files: p.files,
          partclone: (input) => handler.check(input)!,
        });
        await runPipeline(stages, {
          runner,
          hint: 'the image file is damaged',
          onThrough,
          onEvent: (e) => e.kind === 'progress' && onProgress(e.percent),
          ...(signal ? { signal } : {}),
        });
        return undefined;
      } catch (e) {
        if (!(e instanceof LifeboatError) && !(e instanceof Error)) throw e;
        const reason = e instanceof LifeboatError && e.kind === 'command' ? e.message : String((e as Error).message);
        return { file: names.length === 1 ? names[0]! : `${names[0]} … ${names[names.length - 1]}`, reason };
      } finally {
        onThrough();
        onEvent({ type: 'partition-done', job: 'verify', partition: p.name, bytes: p.imageBytes, seconds: (Date.now() - t0) / 1000 });
      }
    });
  }
  for (const problem of await checks.settle()) if (problem) problems.push(problem);
  // A check killed by the stop failed for that reason alone: no verdict, no "damaged".
  if (signal?.aborted) throw stopped(image.dir);
  const report: VerifyReport = {
    image: image.dir,
    origin: image.origin,
    ok: problems.length === 0,
    checkedFiles: image.manifest ? Object.keys(image.manifest.files).length : 0,
    checkedPartitions: parts.length,
    problems,
    seconds: (Date.now() - started) / 1000,
    ...(image.manifest ? { state: image.manifest.state } : {}),
    ...(image.manifest?.state === 'complete-with-unreadable-sectors' ? { unreadable: unreadableLines(image.manifest.partitions) } : {}),
  };
  if (report.ok) onEvent({ type: 'done', job: 'verify', image: image.dir, device: image.diskName, seconds: report.seconds, bytes: total });
  return report;
}

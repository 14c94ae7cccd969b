// The ISO build: the recipe (one array of steps, in order) and buildIso(), which sets up a build and cleans it up.
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { RefusedError } from '../core/errors.js';
import type { Runner } from '../core/runner/run.js';
import { lifeboatVersion } from '../imager/version.js';
import type { IsoConfig } from '../iso-config/config.js';
import { defaultCacheDir } from './cache.js';
import { buildPaths, findAppDir, isoFileName, type BuildContext } from './context.js';
import { runSteps, type StageTiming, type Step } from './driver.js';
import type { BuildEventSink } from './events.js';
import { bootstrapRoot } from './steps/bootstrap-root.js';
import { configureNetwork } from './steps/configure-network.js';
import { configureSsh } from './steps/configure-ssh.js';
import { configureSystem } from './steps/configure-system.js';
import { installApp } from './steps/install-app.js';
import { installBootLoaders } from './steps/install-boot-loaders.js';
import { installNode } from './steps/install-node.js';
import { makeIso } from './steps/make-iso.js';
import { makeSquashfs } from './steps/make-squashfs.js';
import { prepareTools } from './steps/prepare-tools.js';
import { writeChecksums } from './steps/write-checksums.js';
import { writePackageList } from './steps/write-package-list.js';

/** The whole build, in order. */
export const isoRecipe: readonly Step[] = [
  prepareTools,
  bootstrapRoot,
  installNode,
  installApp,
  configureSystem,
  configureNetwork,
  configureSsh,
  makeSquashfs,
  installBootLoaders,
  makeIso,
  writePackageList,
  writeChecksums,
];

export interface BuildRequest {
  config: IsoConfig;
  /** The output directory (made if missing). */
  out: string;
  runner: Runner;
  emit: BuildEventSink;
  signal?: AbortSignal;
  /** Default: defaultCacheDir(). */
  cache?: string;
  /** Bootstrap the root again although a cached one matches. */
  refresh?: boolean;
  /** Leave the work directory for inspection (its path is in the result). */
  keepWork?: boolean;
  /** Default: the machine's parallelism. */
  jobs?: number;
  /** Timestamps for a reproducible build; default: $SOURCE_DATE_EPOCH when it is a number, else none. */
  sourceDateEpoch?: number;
}

/** SOURCE_DATE_EPOCH from the environment, when it is a whole number of seconds. */
export function sourceDateEpochFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const sde = env['SOURCE_DATE_EPOCH'];
  return sde && /^\d+$/.test(sde) ? Number(sde) : undefined;
}

export interface BuildResult {
  iso: string;
  bytes: number;
  sha256: string;
  seconds: number;
  stages: StageTiming[];
  work: string;
}

/** Refuses to delete a directory that has anything mounted below it (rm would reach into the mount). */
async function assertNothingMounted(dir: string): Promise<void> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  const below = mounts
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)));
  if (below.length > 0) throw new Error(`not removing ${dir}: ${below.join(', ')} still mounted`);
}

export async function buildIso(req: BuildRequest): Promise<BuildResult> {
  if (process.getuid?.() !== 0)
    throw new RefusedError('building the ISO needs root', 'mmdebstrap and the tools tree sandbox need root: run it with sudo');
  const started = performance.now();
  const cache = path.resolve(req.cache ?? defaultCacheDir());
  const out = path.resolve(req.out);
  await mkdir(path.join(cache, 'work'), { recursive: true });
  await mkdir(out, { recursive: true });
  const work = await mkdtemp(path.join(cache, 'work', 'build-'));
  const ctx: BuildContext = {
    config: req.config,
    paths: buildPaths(findAppDir(), cache, work, out, isoFileName(req.config, lifeboatVersion)),
    runner: req.runner,
    options: { refresh: req.refresh ?? false, sourceDateEpoch: req.sourceDateEpoch ?? sourceDateEpochFromEnv(), jobs: req.jobs ?? availableParallelism() },
    version: lifeboatVersion,
    signal: req.signal,
    emit: req.emit,
    stage: '',
    state: { written: [] },
  };
  req.emit({ type: 'build-start', iso: ctx.paths.iso, stages: isoRecipe.map((s) => s.name), cache });
  try {
    const stages = await runSteps(isoRecipe, ctx);
    const bytes = (await stat(ctx.paths.iso)).size;
    const sha256 = ctx.state.sha256?.[path.basename(ctx.paths.iso)] ?? '';
    const seconds = (performance.now() - started) / 1000;
    req.emit({ type: 'build-done', iso: ctx.paths.iso, bytes, sha256, seconds, stages });
    return { iso: ctx.paths.iso, bytes, sha256, seconds, stages, work };
  } finally {
    if (!req.keepWork) {
      await assertNothingMounted(work);
      await rm(work, { recursive: true, force: true });
    }
  }
}

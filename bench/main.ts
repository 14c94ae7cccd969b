// `npm run bench`: Lifeboat's performance record. Runs the sections asked for (--only; all by default), then prints
// each section's figures and every target of the issue, met or missed and by how much; --json for all of it.
// Run as root: npm run bench [-- --only imager,repository,iso,guest-ram,ui] [-- --reps N] [-- --json]
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { type GuestRamResult, runGuestRam } from './guest-ram.js';
import { type DiskResult, runImager } from './imager.js';
import { type PartitionsResult, partitionsText, runPartitions } from './partitions.js';
import { type RepositoryResult, runRepository } from './repository.js';
import { repositoryJson, repositoryTargets, repositoryText } from './repository-report.js';
import { type ShrinkResult, runShrink, shrinkText } from './shrink.js';
import { type IsoResult, lastIso, runIso } from './iso.js';
import { gib } from './measure.js';
import { cleanup, log, onSignal, sh, stopper } from './process.js';
import { imagerJson, imagerLegend, imagerText, imagerTargets } from './report.js';
import { type UiSummary, isoTargets, isoText, ramTargets, ramText, uiSummary, uiTargets, uiText } from './sections-report.js';
import { type Args, lifeboatBin, parseArgs } from './settings.js';
import { type TargetResult, targetLines } from './targets.js';
import { runUi } from './ui.js';

async function loadAverage(): Promise<number[]> {
  return (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).map(Number);
}

async function machine(dir: string): Promise<Record<string, unknown>> {
  const version = async (cmd: string, a: string[]) => {
    const r = await sh(cmd, a, { allowFail: true });
    return `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.trim())?.trim();
  };
  const df = (await sh('df', ['-B1', '--output=size,avail', dir], { allowFail: true })).stdout.trim().split('\n')[1]?.trim().split(/\s+/).map(Number) ?? [];
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model,
    memBytes: os.totalmem(),
    diskBytes: df[0],
    diskFreeBytes: df[1],
    kvmDevice: await stat('/dev/kvm').then(() => true, () => false),
    kernel: os.release(),
    node: process.version,
    workDir: dir,
    workDirFs: (await sh('findmnt', ['-n', '-o', 'SOURCE,FSTYPE', '--target', dir], { allowFail: true })).stdout.trim(),
    partclone: await version('partclone.ext4', ['-v']),
    zstd: await version('zstd', ['--version']),
    qemu: await version('qemu-system-x86_64', ['--version']),
    loadAverageAtStart: await loadAverage(),
  };
}

interface Results {
  imager?: DiskResult[];
  partitions?: PartitionsResult;
  shrink?: ShrinkResult;
  repository?: RepositoryResult;
  iso?: IsoResult;
  guestRam?: GuestRamResult;
  ui?: UiSummary;
}

function allTargets(r: Results): TargetResult[] {
  return [...(r.imager ?? []).flatMap(imagerTargets), ...(r.repository ? repositoryTargets(r.repository) : []), ...(r.iso ? isoTargets(r.iso) : []), ...(r.guestRam ? ramTargets(r.guestRam) : []), ...(r.ui ? uiTargets(r.ui) : [])];
}

async function print(args: Args, host: Record<string, unknown>, r: Results, totalSeconds: number): Promise<void> {
  const targets = allTargets(r);
  const json = {
    benchmark: 'lifeboat',
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    machine: host,
    reps: args.reps,
    sections: args.only,
    totalSeconds,
    imager: r.imager?.map(imagerJson),
    partitions: r.partitions,
    shrink: r.shrink,
    repository: r.repository ? repositoryJson(r.repository) : undefined,
    iso: r.iso,
    guestRam: r.guestRam,
    ui: r.ui,
    targets,
  };
  if (args.save) await writeFile(args.save, `${JSON.stringify(json, null, 2)}\n`);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  lines.push('');
  lines.push(`Lifeboat benchmark — sections ${args.only.join(', ')}; ${args.reps} rep(s) each, interleaved; cold page cache (sync; drop_caches 3) before every timed run`);
  lines.push(`machine: nproc ${host['nproc']} (${host['cpu']}), RAM ${gib(Number(host['memBytes']))}, disk ${gib(Number(host['diskBytes']))} (${gib(Number(host['diskFreeBytes']))} free), kernel ${host['kernel']}, node ${host['node']}`);
  lines.push(`load average at start ${(host['loadAverageAtStart'] as number[]).join(' ')}, at end ${(host['loadAverageAtEnd'] as number[]).join(' ')} (above ~0.5 the host was busy with others' work)`);
  lines.push(`QEMU boots run under TCG (-accel tcg), without KVM${host['kvmDevice'] ? ' (this host has /dev/kvm; it is not used)' : ''}`);
  lines.push(`tools:   ${host['partclone']}; ${host['zstd']}; ${host['qemu']}`);
  if (r.imager?.length) {
    for (const d of r.imager) lines.push(...imagerText(d, args.reps));
    lines.push('', ...imagerLegend);
  }
  if (r.partitions) lines.push(...partitionsText(r.partitions, args.reps));
  if (r.shrink) lines.push(...shrinkText(r.shrink, args.reps));
  if (r.repository) lines.push(...repositoryText(r.repository, args.reps));
  if (r.iso) lines.push(...isoText(r.iso));
  if (r.guestRam) lines.push(...ramText(r.guestRam));
  if (r.ui) lines.push(...uiText(r.ui));
  lines.push('', 'Targets (reported, not enforced):', ...targetLines(targets));
  lines.push('', `bench total ${totalSeconds.toFixed(0)} s`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root (loop devices, mount, drop_caches, the ISO build)');
  await stat(lifeboatBin).catch(() => {
    throw new Error(`${lifeboatBin} is missing: run npm run build`);
  });
  await mkdir(args.dir, { recursive: true });
  const started = performance.now();
  const host = await machine(args.dir);
  log(args, `machine: ${host['nproc']} CPUs (${host['cpu']}), ${gib(Number(host['memBytes']))} RAM, load ${(host['loadAverageAtStart'] as number[]).join(' ')}`);
  const r: Results = {};
  if (args.only.includes('imager')) r.imager = await runImager(args);
  if (args.only.includes('partitions')) r.partitions = await runPartitions(args);
  if (args.only.includes('shrink')) r.shrink = await runShrink(args);
  if (args.only.includes('repository')) r.repository = await runRepository(args);
  if (args.only.includes('iso')) r.iso = await runIso(args);
  if (args.only.includes('guest-ram')) {
    const iso = process.env['LIFEBOAT_BENCH_ISO'] ?? r.iso?.iso ?? (await lastIso(args));
    if (!iso) throw new Error('guest-ram needs an ISO: run the iso section first (it leaves one), or set LIFEBOAT_BENCH_ISO');
    log(args, `guest RAM: unattended backup and restore with ${iso}`);
    r.guestRam = await runGuestRam(args, iso);
  }
  if (args.only.includes('ui')) r.ui = uiSummary(await runUi(args));
  host['loadAverageAtEnd'] = await loadAverage();
  await print(args, host, r, (performance.now() - started) / 1000);
}

process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGHUP', () => onSignal('SIGHUP'));

try {
  await main();
} catch (e) {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = stopper.signal.aborted ? 130 : 1;
} finally {
  await cleanup();
}

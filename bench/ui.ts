// UI section: the peak memory of `lifeboat ui` during a backup of the half-full test disk onto a store partition,
// driven in tmux (80x25) through the menus as the real-terminal test does, interleaved with `lifeboat backup` (CLI)
// of the same disk for comparison. The tmux server, the store's mounts and the loop devices go whatever happens.
import { execa } from 'execa';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { type DiskInfo, sourceDisk } from './disk.js';
import { type Run, dropCaches, lifeboat } from './measure.js';
import { sampleRss } from './memory.js';
import { attach, detach, log, q, sh, stopper } from './process.js';
import { type Args, disks, lifeboatBin } from './settings.js';
import { type TmuxSession, startTmux } from '../harness/tmux.js';

/** The store disk: a sparse file with one ext4 partition, roomy enough for the UI's space check (it counts the disk's used bytes). */
export const STORE_MIB = 6144;

export interface UiRun {
  /** Seconds from Enter on the summary until the screen showed "Backup complete" (the UI verifies the image before that). */
  seconds: number;
  /** The verification's own seconds, from the result screen. */
  verifySeconds: number | null;
  /** Peak resident set of the UI's node process alone, and of its whole tree (node, partclone, zstd, …), sampled. */
  nodePeakRssBytes: number;
  treePeakRssBytes: number;
}

export interface UiResult {
  disk: DiskInfo;
  storeMiB: number;
  ui: UiRun[];
  /** `lifeboat backup` of the same disk, interleaved (its tree: bash, node, partclone, zstd). */
  cli: Run[];
}

export type BackupEnd = { done: false } | { done: true; ok: true; verifySeconds: number | null } | { done: true; ok: false };

/** Reads the backup's state off the screen: still running, complete (with the verification's seconds), or ended otherwise. Pure. */
export function backupEnd(screen: string): BackupEnd {
  if (/Backup complete/.test(screen)) {
    const v = /Verification OK: .* in ([\d.]+) s/.exec(screen);
    return { done: true, ok: true, verifySeconds: v ? Number(v[1]) : null };
  }
  if (/Enter: back to the main menu/.test(screen)) return { done: true, ok: false };
  return { done: false };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The one child of the pane's shell: the UI's node process. */
async function uiPid(ui: TmuxSession): Promise<number> {
  const pane = await ui.panePid();
  const kids = (await readFile(`/proc/${pane}/task/${pane}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean).map(Number);
  if (kids.length !== 1) throw new Error(`expected the UI as the only child of the tmux pane (${pane}), found ${kids.join(', ') || 'none'}`);
  return kids[0]!;
}

/** Unmounts whatever still has the partition mounted (the UI's store mount, after an interrupted run). Never throws. */
async function unmountDevice(part: string): Promise<void> {
  const r = await execa('findmnt', ['-n', '-o', 'TARGET', '-S', part], { reject: false });
  for (const m of String(r.stdout).split('\n').filter(Boolean).reverse()) await execa('umount', [m], { reject: false });
}

/** Waits for a process to leave (up to timeoutMs), then kills it. */
async function waitGone(pid: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!(await stat(`/proc/${pid}`).then(() => true, () => false))) return;
    await sleep(200);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** One backup through the UI's menus; the session is killed and the store unmounted whatever happens. */
async function uiBackup(src: string, store: string): Promise<UiRun> {
  const part = `${store}p1`;
  const command = `node ${q(lifeboatBin)} ui --disk ${src} --disk ${store}; echo LIFEBOAT-UI-EXIT=$?; sleep 600`;
  const ui = await startTmux(command, { LANG: 'C.UTF-8', TERM: 'xterm-256color', PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' }, { socketPrefix: 'lifeboat-bench', signal: stopper.signal });
  let pid: number | undefined;
  try {
    await ui.waitFor(/Power off/, 60_000);
    pid = await uiPid(ui);
    await ui.choose(/Back up a disk/);
    await ui.waitFor(/Which disk do you want to back up\?[\s\S]*loop/, 60_000);
    await ui.choose(new RegExp(`${src} `));
    await ui.waitFor(new RegExp(`${part} `), 60_000);
    await ui.choose(new RegExp(`${part} `));
    await ui.waitFor(/Name of the image/);
    await ui.keys('Enter');
    await ui.waitFor(/How should the image be compressed/);
    await ui.choose(/zstd/);
    await ui.waitFor(/Enter: start the backup/, 60_000);
    await dropCaches();
    const sampler = sampleRss(pid, 250);
    const t0 = performance.now();
    let end: BackupEnd = { done: false };
    let screen = '';
    let seconds = NaN;
    let peaks: Awaited<ReturnType<typeof sampler.stop>>;
    try {
      await ui.keys('Enter');
      while (!end.done) {
        if (stopper.signal.aborted) throw new Error('interrupted');
        if (performance.now() - t0 > 20 * 60_000) throw new Error(`the backup did not end within 20 min; the screen:\n${screen}`);
        await sleep(250);
        screen = await ui.capture();
        end = backupEnd(screen);
      }
      seconds = (performance.now() - t0) / 1000;
    } finally {
      peaks = await sampler.stop();
    }
    if (!end.ok) throw new Error(`the backup in the UI failed; the screen:\n${screen}`);
    await ui.keys('Enter');
    await ui.waitFor(/Main menu/);
    await ui.keys('q');
    await ui.waitFor(/LIFEBOAT-UI-EXIT=0/);
    return { seconds, verifySeconds: end.verifySeconds, nodePeakRssBytes: peaks.rootBytes, treePeakRssBytes: peaks.treeBytes };
  } finally {
    await ui.kill();
    if (pid !== undefined) await waitGone(pid, 15_000);
    await unmountDevice(part);
  }
}

/** The ui section: --reps backups through the UI, each followed by the CLI's backup of the same disk. */
export async function runUi(args: Args): Promise<UiResult> {
  const disk = await sourceDisk(args, disks.find((d) => d.id === 'half')!);
  const storeFile = path.join(args.dir, 'ui-store.img');
  const cliImage = path.join(args.dir, 'out', 'ui-cli', 'lifeboat-img');
  await rm(storeFile, { force: true });
  await sh('truncate', ['-s', `${STORE_MIB}M`, storeFile]);
  await sh('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', storeFile], { input: 'label: gpt\ntype=linux' });
  const result: UiResult = { disk, storeMiB: STORE_MIB, ui: [], cli: [] };
  const src = await attach(disk.file, true);
  let store: string | undefined;
  try {
    store = await attach(storeFile, false);
    log(args, `ui: source ${src} (${disk.file}, read-only), store ${store}p1 (${storeFile})`);
    for (let rep = 1; rep <= args.reps; rep++) {
      await sh('mkfs.ext4', ['-q', '-F', '-L', 'LBSTORE', `${store}p1`]);
      const u = await uiBackup(src, store);
      result.ui.push(u);
      log(args, `  ui rep ${rep}/${args.reps}: backup ${u.seconds.toFixed(1)} s (verification ${u.verifySeconds ?? '?'} s), peak RSS node ${(u.nodePeakRssBytes / 1024 ** 2).toFixed(0)} MiB, tree ${(u.treePeakRssBytes / 1024 ** 2).toFixed(0)} MiB`);
      await rm(path.dirname(cliImage), { recursive: true, force: true });
      await sh('mkdir', ['-p', path.dirname(cliImage)]);
      const c = await lifeboat(['backup', src, cliImage]);
      result.cli.push(c);
      log(args, `  cli rep ${rep}/${args.reps}: backup ${c.exit.toFixed(1)} s to exit, peak RSS tree ${((c.peakRssBytes ?? NaN) / 1024 ** 2).toFixed(0)} MiB`);
    }
    return result;
  } finally {
    if (store) {
      await unmountDevice(`${store}p1`);
      await detach(store);
    }
    await detach(src);
    await rm(storeFile, { force: true });
    await rm(path.dirname(cliImage), { recursive: true, force: true });
  }
}

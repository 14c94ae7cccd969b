// The real backend: the imager library in-process, every command through one Runner (whose log the Log screen
// shows), stores mounted only for the length of each call. Plans come from the library, so refusals are its own.
import path from 'node:path';
import { executeBackup } from '../../imager/backup/execute.js';
import { describeBackupPlan, type PlannedPartition } from '../../imager/backup/plan.js';
import { prepareBackup } from '../../imager/backup/prepare.js';
import { codecs } from '../../imager/codec/codecs.js';
import { listDisks, type Disk } from '../../imager/disks/probe.js';
import { resolveDisk } from '../../imager/disks/resolve.js';
import { openImage } from '../../imager/image/open.js';
import { executeRestore } from '../../imager/restore/execute.js';
import { describeRestorePlan, type RestorePlan } from '../../imager/restore/plan.js';
import type { Refusal } from '../../imager/plan/refusals.js';
import { prepareRestore } from '../../imager/restore/prepare.js';
import type { CommandLogEntry, Runner } from '../../core/runner/run.js';
import { verifyChecksums, verifyImage } from '../../imager/verify/verify.js';
import { describeImage, scanForImages } from './find-images.js';
import type { Backend, BackupRequest, FoundImage, JobHooks, Store, VerifyOutcome } from './port.js';
import { StoreMounts, storesOf, storesRoot } from './stores.js';

/** FAT32 cannot hold a file of 4 GiB: images on vfat stores are split, as Clonezilla does. */
const fatSplitBytes = 4000 * 1024 * 1024;

/** What the backup does with a partition, in a few words. */
function partitionWhat(p: PlannedPartition): string {
  if (p.action === 'partclone') return `${p.handler?.fsName ?? '?'}, used blocks`;
  if (p.action === 'raw') return `${p.source.fs.type ?? 'unknown'}, raw copy`;
  return p.action === 'swap' ? 'swap: UUID and label' : 'extended: boot record';
}

/**
 * The image's store is mounted while the restore is planned, so a target that holds the image is also "in use" by
 * that mount; the refusal that says it holds the image is the one that explains, so the other is left out (when
 * every mount of the target is one of the UI's own store mounts).
 */
function withoutOwnMount(plan: RestorePlan): Refusal[] {
  const holds = plan.refusals.some((r) => r.code === 'holds-image');
  const mounts = plan.target.partitions.flatMap((p) => p.mountpoints);
  const onlyOurs = mounts.length > 0 && mounts.every((m) => m.startsWith(`${storesRoot}/`));
  return holds && onlyOurs ? plan.refusals.filter((r) => r.code !== 'in-use') : plan.refusals;
}

export interface ImagerBackendOptions {
  /** Show only these disks (e.g. /dev/loop3); all disks when empty. */
  onlyDisks?: string[];
}


export function imagerBackend(runner: Runner, opts: ImagerBackendOptions = {}): Backend {
  const entries: CommandLogEntry[] = [];
  const listeners = new Set<(e: CommandLogEntry) => void>();
  runner.addSink((e) => {
    entries.push(e);
    for (const l of listeners) l(e);
  });
  const mounts = new StoreMounts(runner);
  // The jobs under way, each with its own abort (linked to the screen's): close() stops them and waits for their
  // clean-up (a backup removes its partial image, every job unmounts its store) before the process ends on a signal.
  const running = new Set<{ abort: AbortController; settled: Promise<unknown> }>();
  const job = <T>(hooks: JobHooks, work: (h: JobHooks) => Promise<T>): Promise<T> => {
    const abort = new AbortController();
    const follow = () => abort.abort(hooks.signal.reason);
    if (hooks.signal.aborted) follow();
    else hooks.signal.addEventListener('abort', follow, { once: true });
    // Kill the running commands on abort (as the CLI does on Ctrl-C); the library then cleans up and throws.
    const kill = () => runner.killAll();
    abort.signal.addEventListener('abort', kill, { once: true });
    const result = work({ ...hooks, signal: abort.signal });
    const entry = { abort, settled: result.catch(() => undefined) };
    running.add(entry);
    return result.finally(() => {
      running.delete(entry);
      abort.signal.removeEventListener('abort', kill);
      hooks.signal.removeEventListener('abort', follow);
    });
  };
  let only: Promise<Set<string>> | undefined;
  const onlyDevices = () => (only ??= Promise.all((opts.onlyDisks ?? []).map(async (d) => (await resolveDisk(d)).device)).then((l) => new Set(l)));

  const disks = async (): Promise<Disk[]> => {
    const keep = await onlyDevices();
    const all = await listDisks(runner);
    return keep.size === 0 ? all : all.filter((d) => keep.has(d.device));
  };
  const storeOf = async (device: string): Promise<Store> => {
    const store = storesOf(await disks()).find((s) => s.device === device);
    if (!store) throw new Error(`the store ${device} is gone`);
    return store;
  };
  const imageDir = (root: string, image: FoundImage) => path.join(root, image.path);
  const backupOptions = (req: BackupRequest) => ({
    codec: codecs[req.compression],
    level: undefined,
    splitBytes: req.store.fsType === 'vfat' ? fatSplitBytes : undefined,
  });
  const verifyIn = async (dir: string, hooks: JobHooks): Promise<VerifyOutcome> => {
    const r = await verifyImage(dir, runner, hooks.onEvent, hooks.signal);
    return { ok: r.ok, checkedFiles: r.checkedFiles, checkedPartitions: r.checkedPartitions, problems: r.problems, seconds: r.seconds };
  };

  return {
    listDisks: disks,
    async listStores(sourceDisk) {
      return storesOf(await disks()).filter((s) => s.disk !== sourceDisk);
    },
    async planBackup(req) {
      return mounts.with(req.store, 'rw', async (root) => {
        const plan = await prepareBackup(runner, req.disk, path.join(root, req.name), backupOptions(req));
        return {
          lines: describeBackupPlan(plan),
          source: { device: plan.disk.device, tableType: plan.disk.tableType, sizeBytes: plan.disk.sizeBytes },
          partitions: plan.partitions.map((p) => ({ name: p.name, what: partitionWhat(p), bytes: p.weight })),
          refusals: plan.refusals,
          imageDir: `${req.store.device}:/${req.name}`,
          requiredBytes: plan.requiredBytes,
          freeBytes: plan.freeBytes,
        };
      });
    },
    runBackup(req, outer) {
      return job(outer, (hooks) =>
        mounts.with(req.store, 'rw', async (root) => {
          // Planned again: the facts may have changed since the summary was shown. execute refuses what the plan refuses.
          const plan = await prepareBackup(runner, req.disk, path.join(root, req.name), backupOptions(req));
          const r = await executeBackup(plan, runner, hooks.onEvent, hooks.signal);
          const verified = await verifyIn(r.imageDir, hooks);
          return {
            imageDir: `${req.store.device}:/${req.name}`,
            bytes: Object.values(r.manifest.files).reduce((n, f) => n + f.bytes, 0),
            seconds: r.manifest.timings['totalSeconds'] ?? 0,
            partitions: r.manifest.partitions.length,
            verified,
          };
        }),
      );
    },
    async findImages() {
      const found: FoundImage[] = [];
      for (const store of storesOf(await disks())) {
        try {
          await mounts.with(store, 'ro', async (root) => {
            for (const rel of await scanForImages(root)) found.push(await describeImage(store.device, root, rel));
          });
        } catch {
          // a store that does not mount holds no images we can see; the Log screen shows why
        }
      }
      return found;
    },
    async checkImage(image) {
      return mounts.with(await storeOf(image.store), 'ro', async (root) => {
        const opened = await openImage(imageDir(root, image));
        if (!opened.manifest) return { state: 'no-manifest' as const, files: 0, problems: [] };
        const problems = await verifyChecksums(opened);
        return { state: problems.length ? ('damaged' as const) : ('ok' as const), files: Object.keys(opened.manifest.files).length, problems };
      });
    },
    async planRestore(req) {
      return mounts.with(await storeOf(req.image.store), 'ro', async (root) => {
        const plan = await prepareRestore(runner, imageDir(root, req.image), req.disk, { bootOnly: req.bootOnly, grow: req.grow && !req.bootOnly });
        const t = plan.target;
        return {
          lines: describeRestorePlan(plan),
          steps: plan.steps.map((s) => s.text),
          refusals: withoutOwnMount(plan),
          warnings: plan.warnings,
          target: { device: t.device, name: t.name, sizeBytes: t.sizeBytes, model: t.model },
        };
      });
    },
    runRestore(req, outer) {
      return job(outer, async (hooks) =>
        mounts.with(await storeOf(req.image.store), 'ro', async (root) => {
          const plan = await prepareRestore(runner, imageDir(root, req.image), req.disk, { bootOnly: req.bootOnly, grow: req.grow && !req.bootOnly });
          // Confirmed: the screen asked for the target's name before calling this.
          const r = await executeRestore(plan, runner, { confirmed: true, onEvent: hooks.onEvent, signal: hooks.signal });
          return { device: r.device, seconds: r.seconds, bytes: r.bytes, steps: r.steps };
        }),
      );
    },
    verify(image, outer) {
      return job(outer, async (hooks) => mounts.with(await storeOf(image.store), 'ro', (root) => verifyIn(imageDir(root, image), hooks)));
    },
    log: () => [...entries],
    onLog(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async power(action) {
      await runner.run('systemctl', [action]);
    },
    async close() {
      for (const j of running) j.abort.abort(new Error('the rescue UI is closing'));
      await Promise.all([...running].map((j) => j.settled));
      await mounts.close();
    },
  };
}

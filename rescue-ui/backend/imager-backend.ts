// The real backend: the imager library in-process, every command through one Runner (whose log the Log screen
// shows), stores mounted only for the length of each call. Plans come from the library, so refusals are its own.
import { describeShrinkLayout } from '../../imager/restore/shrink-layout.js';
import { describeBackupPlan, type PlannedPartition } from '../../imager/backup/plan.js';
import { codecs } from '../../imager/codec/codecs.js';
import { listDisks, type Disk } from '../../imager/disks/probe.js';
import { resolveDisk } from '../../imager/disks/resolve.js';
import { openImage } from '../../imager/image/open.js';
import { backupJob, planBackupJob } from '../../imager/jobs/backup.js';
import { cloneJob, planCloneJob } from '../../imager/jobs/clone.js';
import { describeClonePlan } from '../../imager/clone/plan.js';
import { planRestoreJob, restoreJob } from '../../imager/jobs/restore.js';
import { verifyJob } from '../../imager/jobs/verify.js';
import { withStore } from '../../imager/store/open.js';
import { unmountLeftovers } from '../../imager/store/partition.js';
import { describeRestorePlan, type RestorePlan } from '../../imager/restore/plan.js';
import type { Refusal } from '../../imager/plan/refusals.js';
import type { CommandLogEntry, Runner } from '../../core/runner/run.js';
import { verifyChecksums, type VerifyReport } from '../../imager/verify/verify.js';
import { describeImage } from './find-images.js';
import type { Backend, BackupRequest, FoundImage, JobHooks, RestoreRequest, Store, VerifyOutcome } from './port.js';
import { storeRef, storesOf, storesRoot } from './stores.js';

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
  const backupRequest = (req: BackupRequest) => ({ disk: req.disk, store: storeRef(req.store), name: req.name, codec: codecs[req.compression] });
  const restoreRequest = async (req: RestoreRequest) => ({ store: storeRef(await storeOf(req.image.store)), image: req.image.path, disk: req.disk, bootOnly: req.bootOnly, grow: req.grow, shrink: req.shrink === true });
  const outcome = (r: VerifyReport): VerifyOutcome => ({ ok: r.ok, checkedFiles: r.checkedFiles, checkedPartitions: r.checkedPartitions, problems: r.problems, seconds: r.seconds });

  return {
    listDisks: disks,
    async listStores(sourceDisk) {
      return storesOf(await disks()).filter((s) => s.disk !== sourceDisk);
    },
    async planBackup(req) {
      const { plan, image } = await planBackupJob(runner, backupRequest(req));
      return {
        lines: describeBackupPlan(plan),
        source: { device: plan.disk.device, tableType: plan.disk.tableType, sizeBytes: plan.disk.sizeBytes },
        partitions: plan.partitions.map((p) => ({ name: p.name, what: partitionWhat(p), bytes: p.weight })),
        refusals: plan.refusals,
        imageDir: image,
        requiredBytes: plan.requiredBytes,
        freeBytes: plan.freeBytes,
      };
    },
    runBackup(req, outer) {
      // Planned again inside the job: the facts may have changed since the summary was shown.
      return job(outer, async (hooks) => {
        const r = await backupJob(runner, { ...backupRequest(req), verify: true, onEvent: hooks.onEvent, signal: hooks.signal });
        const manifest = r.manifest!;
        return {
          imageDir: r.image,
          bytes: Object.values(manifest.files).reduce((n, f) => n + f.bytes, 0),
          seconds: manifest.timings['totalSeconds'] ?? 0,
          partitions: manifest.partitions.length,
          verified: outcome(r.verified!),
        };
      });
    },
    async findImages() {
      const found: FoundImage[] = [];
      for (const store of storesOf(await disks())) {
        try {
          await withStore(runner, storeRef(store), 'read', async (s) => {
            for (const rel of await s.reader.listImages()) found.push(await describeImage(store.device, s.root, rel));
          });
        } catch {
          // a store that does not mount holds no images we can see; the Log screen shows why
        }
      }
      return found;
    },
    async checkImage(image) {
      return withStore(runner, storeRef(await storeOf(image.store)), 'read', async (s) => {
        const opened = await openImage(s.imagePath(image.path));
        if (!opened.manifest) return { state: 'no-manifest' as const, files: 0, problems: [] };
        const problems = await verifyChecksums(opened);
        return { state: problems.length ? ('damaged' as const) : ('ok' as const), files: Object.keys(opened.manifest.files).length, problems };
      });
    },
    async planRestore(req) {
      const plan = await planRestoreJob(runner, await restoreRequest(req));
      const t = plan.target;
      return {
        lines: describeRestorePlan(plan),
        steps: plan.steps.map((s) => s.text),
        layout: plan.shrink ? describeShrinkLayout(plan.shrink).map((l) => l.trim()) : [],
        refusals: withoutOwnMount(plan),
        warnings: plan.warnings,
        target: { device: t.device, name: t.name, sizeBytes: t.sizeBytes, model: t.model },
      };
    },
    runRestore(req, outer) {
      return job(outer, async (hooks) => {
        // Confirmed: the screen asked for the target's name before calling this.
        const r = await restoreJob(runner, { ...(await restoreRequest(req)), confirm: async () => true, onEvent: hooks.onEvent, signal: hooks.signal });
        return { device: r.device, seconds: r.seconds, bytes: r.bytes, steps: r.steps };
      });
    },
    verify(image, outer) {
      return job(outer, async (hooks) => outcome(await verifyJob(runner, { store: storeRef(await storeOf(image.store)), image: image.path, onEvent: hooks.onEvent, signal: hooks.signal })));
    },
    async planClone(req) {
      const plan = await planCloneJob(runner, req);
      const t = plan.target;
      return {
        lines: describeClonePlan(plan),
        steps: plan.steps.map((s) => s.text),
        refusals: plan.refusals,
        warnings: plan.warnings,
        requiredBytes: plan.requiredBytes,
        source: { device: plan.source.device, sizeBytes: plan.source.sizeBytes },
        target: { device: t.device, name: t.name, sizeBytes: t.sizeBytes, model: t.model },
      };
    },
    runClone(req, outer) {
      // Confirmed: the screen asked for the target's name before calling this.
      return job(outer, async (hooks) => {
        const r = await cloneJob(runner, { ...req, confirm: async () => true, onEvent: hooks.onEvent, signal: hooks.signal });
        return { source: r.source, device: r.device, seconds: r.seconds, bytes: r.bytes, steps: r.steps };
      });
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
      await unmountLeftovers();
    },
  };
}

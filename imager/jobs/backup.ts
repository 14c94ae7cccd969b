// The backup job: open the store -> probe the source -> plan (pure) -> confirm -> execute -> verify (optional) ->
// release. The image's default name, FAT splitting and verify-after-backup live here, for every face.
import { probeSource } from '../backup/prepare.js';
import { executeBackup } from '../backup/execute.js';
import { throwIfRefused } from '../plan/refusals.js';
import { planBackup, type BackupPlan } from '../backup/plan.js';
import { codecs, type Codec } from '../codec/codecs.js';
import type { Runner } from '../../core/runner/run.js';
import { UsageError } from '../../core/errors.js';
import type { EventSink } from '../events.js';
import type { Manifest } from '../image/manifest.js';
import type { ImageWriter, OpenedStore } from '../store/store.js';
import { verifyImage, type VerifyReport } from '../verify/verify.js';
import { encryptedImageWriter } from '../crypt/encrypted-writer.js';
import { withImageDir } from '../crypt/image-dir.js';
import { checkedPassphrase, type PassphraseSource } from '../crypt/passphrase.js';
import { defaultImageName } from './naming.js';
import { usingStore, type StoreArg } from './store-use.js';
import { activateVgs, deactivateVgs, probeVgs } from '../lvm/probe.js';
import { planLvmBackup } from '../lvm/backup-plan.js';
import { leftoverSnapshots, removeLeftoverSnapshots } from '../lvm/snapshot.js';
import type { RunningReadOptions } from '../running/options.js';
import { probeDatabase } from '../running/databases.js';
import { majMinOf } from '../disks/sysfs.js';
import type { DatabaseFacts } from '../backup/plan.js';

/** FAT32 holds no file of 4 GiB: images on FAT stores are split into pieces of 4 GiB - 1 byte. */
export const fatSplitBytes = 4 * 1024 ** 3 - 1;

export interface BackupJobRequest {
  /** The source disk as the user names it. */
  disk: string;
  store: StoreArg;
  /** The image's name in the store; by default the one rule of naming.ts. */
  name?: string | undefined;
  codec: Codec;
  /** The compression level; by default the codec's own (recorded in the manifest either way). */
  level?: number | undefined;
  /** Split pieces; by default none, or FAT's limit on a FAT store. */
  splitBytes?: number | undefined;
  /** Go on past read errors and record them (partclone's rescue mode); by default the first one stops the backup. */
  rescue?: boolean | undefined;
  /**
   * Encrypt the image (gocryptfs, Clonezilla's layout) with the passphrase this source gives; asked once the plan is
   * confirmed, before anything is written.
   */
  encrypt?: PassphraseSource | undefined;
  /** Reading a running system: --freeze for mounted filesystems, --pre/--post hooks (running/options.ts). */
  running?: RunningReadOptions | undefined;
  /** Verify the image right after the backup. */
  verify?: boolean;
  /** Asked with the plan before anything is written; false stops the job with nothing written. */
  confirm?: (plan: BackupPlan) => Promise<boolean>;
  onEvent?: EventSink;
  signal?: AbortSignal;
  now?: Date;
}

export interface BackupJobResult {
  plan: BackupPlan;
  /** false when confirm said no (nothing was written). */
  ran: boolean;
  /** The image in the store's words (/dev/sdb1:/pc-…, or a local path). */
  image: string;
  name: string;
  manifest: Manifest | undefined;
  verified: VerifyReport | undefined;
  /** What the backup added to its store, where the store says (a repository's new data after deduplication). */
  addedBytes?: number | undefined;
}

/** The plan of a backup into an opened store; a dry run changes nothing (no partition nodes added). */
export async function planBackupIn(runner: Runner, store: OpenedStore, req: Pick<BackupJobRequest, 'disk' | 'name' | 'codec' | 'level' | 'splitBytes' | 'rescue' | 'now' | 'encrypt' | 'running' | 'onEvent'>, dryRun = false): Promise<{ plan: BackupPlan; name: string }> {
  const { disk, wouldAdd } = await probeSource(runner, req.disk, dryRun);
  // The VGs on the source's PVs; a real backup activates those it images LV by LV (backupJob deactivates them after).
  let lvm = await probeVgs(runner, disk);
  // Snapshots a dead run of Lifeboat left in these VGs go first (a dry run only says it would): they are no part of
  // the disk's content, and they hold the free extents a snapshot needs.
  if (!dryRun && lvm.some((vg) => leftoverSnapshots(vg).length > 0)) {
    const removed = await removeLeftoverSnapshots(runner, lvm);
    req.onEvent?.({ type: 'step', job: 'backup', message: `removed ${removed.join(', ')}: LVM snapshot${removed.length > 1 ? 's' : ''} an earlier backup left behind` });
    lvm = await probeVgs(runner, disk);
  }
  if (!dryRun) {
    const { activated, failed } = await activateVgs(runner, lvm.filter((vg) => planLvmBackup(disk, [vg], req.codec).vgs[0]?.mode === 'lvm'));
    if (activated.length > 0 || failed.size > 0)
      lvm = (await probeVgs(runner, disk)).map((vg) => ({ ...vg, activatedByJob: activated.includes(vg.name), ...(failed.has(vg.name) ? { activationFailed: failed.get(vg.name)! } : {}) }));
  }
  // --db: where each database keeps its files, asked of its server, and which of the source's partitions holds them.
  const databases: DatabaseFacts[] = [];
  if (req.running?.databases.length) {
    const devices = new Map<string, string>();
    for (const p of disk.partitions) devices.set(await majMinOf(p.device).catch(() => ''), p.device);
    for (const vg of lvm) for (const lv of vg.lvs.filter((l) => l.active)) devices.set(await majMinOf(lv.dmPath).catch(() => ''), `LV ${vg.name}/${lv.name}`);
    for (const recipe of req.running.databases) {
      const placed = await probeDatabase(runner, recipe);
      databases.push({ ...placed, pieces: placed.pieces.map((x) => ({ ...x, partition: devices.get(x.majMin) })) });
    }
  }
  const name = req.name ?? defaultImageName(disk.name, req.now);
  // A store that compresses and deduplicates itself (a repository) takes the streams as they are: compressing first
  // would defeat its deduplication, and it has no file size limit to split for.
  const codec = store.rawStreams ? codecs.none : req.codec;
  const splitBytes = store.rawStreams ? undefined : (req.splitBytes ?? (store.fsType === 'vfat' ? fatSplitBytes : undefined));
  const plan = planBackup(
    { disk, imageDir: store.imagePath(name), describedImage: store.describeImage(name), imageDirExists: await store.hasImage(name), destinationDisk: (await store.livesOn(disk.name)) ? disk.name : undefined, freeBytes: await store.freeBytes(), missingPartitionNodes: wouldAdd, lvm, databases },
    { codec, level: store.rawStreams ? undefined : (req.level ?? req.codec.defaultLevel), splitBytes, rescue: req.rescue, encrypted: req.encrypt !== undefined, running: req.running },
  );
  return { plan, name };
}

/**
 * Plans a backup only (the UI's summary, the CLI's --dry-run), changing nothing: the store is opened for reading
 * (a partition mounted read-only, no folder made) and released; no partition node is added.
 */
export function planBackupJob(runner: Runner, req: BackupJobRequest): Promise<{ plan: BackupPlan; name: string; image: string }> {
  return usingStore(runner, req.store, 'read', async (store) => {
    const r = await planBackupIn(runner, store, req, true);
    return { ...r, image: store.describeImage(r.name) };
  });
}

export function backupJob(runner: Runner, req: BackupJobRequest): Promise<BackupJobResult> {
  return usingStore(runner, req.store, 'write', async (store) => {
    const { plan, name } = await planBackupIn(runner, store, req);
    try {
      const image = store.describeImage(name);
      throwIfRefused(plan.refusals);
      if (req.confirm && !(await req.confirm(plan))) return { plan, ran: false, image, name, manifest: undefined, verified: undefined };
      if (req.encrypt && store.rawStreams) throw new UsageError(`${store.describe} encrypts what it stores itself (restic): leave --encrypt out`, 'the repository\'s password protects its images');
      const passphrase = req.encrypt ? checkedPassphrase(await req.encrypt(image), `for ${image}`) : undefined;
      let writer: ImageWriter | undefined;
      const startImage = async () => (writer = passphrase === undefined ? await store.startImage(name, { disk: plan.disk, time: req.now }) : await encryptedImageWriter(runner, await store.startImage(name), passphrase, image));
      const r = await executeBackup(plan, runner, req.onEvent, req.signal, { startImage, lockKey: await store.lockKey(name) });
      // A repository's backup is one snapshot set: it names the image and says what it added (verify reads it later).
      const stored = writer?.stored?.();
      const again = passphrase === undefined ? undefined : async () => passphrase;
      const verified = req.verify && !stored ? await withImageDir(runner, store, name, again, (d) => verifyImage(d.dir, runner, req.onEvent, req.signal)) : undefined;
      return { plan, ran: true, image: stored?.image ?? image, name, manifest: r.manifest, verified, ...(stored ? { addedBytes: stored.addedBytes } : {}) };
    } finally {
      // The VGs this job activated go back to inactive, also after a failure or a refusal.
      await deactivateVgs(runner, plan.lvm.vgs.filter((v) => v.activatedByJob).map((v) => v.name));
    }
  });
}

// Carries out a backup plan: boot records, table, every partition through partclone, manifest; the image appears only when complete.
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { InterruptedError, RefusedError } from '../../core/errors.js';
import { throwIfRefused } from '../plan/refusals.js';
import { gptBackupSectors, gptPrimarySectors } from '../boot/records.js';
import { readBytes } from '../boot/sectors.js';
import { sha256File } from '../image/checksum.js';
import { manifestFile, names } from '../image/layout.js';
import { manifestVersion, writeManifest, type Manifest, type ManifestPartition, type ManifestVolume } from '../image/manifest.js';
import { recordUnreadable, rescuePolicy, unreadableError, withRescueFlag, type PartitionPlace } from '../rescue/partition.js';
import { UnreadableWatch } from '../rescue/watch.js';
import { rescueRawCopy, type RawRescue } from '../rescue/raw-copy.js';
import { runPipeline } from '../pipeline/run.js';
import { createScheduler } from '../pipeline/scheduler.js';
import { composePipeline } from '../pipeline/stages.js';
import type { Runner } from '../../core/runner/run.js';
import { ProgressTracker, type EventSink } from '../events.js';
import { diskLockKey, imageLockKey, takeJobLocks } from '../lock/job-lock.js';
import { localImageWriter } from '../store/folder.js';
import type { ImageWriter } from '../store/store.js';
import { lifeboatVersion, toolVersions } from '../version.js';
import { describeBackupPlan, type BackupPlan } from './plan.js';
import type { FsHandler } from '../fs/partclone.js';
import { saveLvmMetadata } from '../lvm/backup.js';
import { lvmNames } from '../lvm/files.js';
import { collectConfig, type ConfigSource } from '../config/collect.js';
import { configFolder } from '../config/kept.js';
import { freezeForRead, hardLimitFactor, type FrozenRead } from '../running/freeze.js';
import { fromSnapshot, withSnapshotPoint, type SnapshotPoint } from './snapshot-point.js';
import type { FrozenReadPlan } from './plan.js';


function blkidLine(device: string, raw: Record<string, string>): string {
  const keys = Object.entries(raw).filter(([k]) => !['DEVNAME', 'PART_ENTRY_DISK', 'PART_ENTRY_OFFSET', 'PART_ENTRY_SIZE', 'PART_ENTRY_NUMBER', 'PART_ENTRY_SCHEME', 'PART_ENTRY_TYPE', 'USAGE', 'VERSION'].includes(k));
  return `${device}: ${keys.map(([k, v]) => `${k.replace('PART_ENTRY_NAME', 'PARTLABEL').replace('PART_ENTRY_UUID', 'PARTUUID')}="${v}"`).join(' ')}`;
}

function mib(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / 1024 / 1024))}M`;
}

export interface BackupResult {
  imageDir: string;
  manifest: Manifest;
}

/** Where the image goes: a store's writer and lock key (a store job passes its own; by default a local folder). */
export interface BackupOutput {
  startImage(): Promise<ImageWriter>;
  lockKey: string;
}

export async function executeBackup(plan: BackupPlan, runner: Runner, onEvent: EventSink = () => {}, signal?: AbortSignal, output?: BackupOutput): Promise<BackupResult> {
  throwIfRefused(plan.refusals);
  // No other Lifeboat job may restore onto the source meanwhile, nor write the same image (it would remove this
  // one's partial folder as its own leftover). The image's folder is made first: its lock key is that folder's.
  if (!output) await mkdir(path.dirname(plan.imageDir), { recursive: true });
  const out = output ?? { startImage: () => localImageWriter(path.dirname(plan.imageDir), path.basename(plan.imageDir)), lockKey: await imageLockKey(plan.imageDir) };
  const locks = await takeJobLocks(
    [
      { key: await diskLockKey(plan.disk.device), what: plan.disk.device },
      { key: out.lockKey, what: plan.imageDir },
    ],
    `backup of ${plan.disk.device} to ${plan.imageDir}`,
  );
  try {
    return await backupLocked(plan, runner, onEvent, signal, out);
  } finally {
    await locks.release();
  }
}

async function backupLocked(plan: BackupPlan, runner: Runner, onEvent: EventSink, signal: AbortSignal | undefined, out: BackupOutput): Promise<BackupResult> {
  const started = Date.now();
  // A running system's snapshot point (snapshot-point.ts) around the whole write; a plain backup passes through.
  return withSnapshotPoint(plan, runner, onEvent, signal, (point) => backupStarted(plan, runner, onEvent, signal, out, started, point));
}

async function backupStarted(plan: BackupPlan, runner: Runner, onEvent: EventSink, signal: AbortSignal | undefined, out: BackupOutput, started: number, point: SnapshotPoint): Promise<BackupResult> {
  const { disk } = plan;
  const table = disk.table!;
  const sector = table.sectorSize;
  const diskName = disk.name;
  // The partial image (one of an earlier, interrupted run of the same backup is replaced): the store publishes it.
  const writer = await out.startImage();
  const dir = writer.partialDir;
  // Tool versions are for the record only: asked while the data flows, written into the final manifest.
  const tools = toolVersions(runner);
  const manifest: Manifest = {
    format: 'lifeboat-image',
    version: manifestVersion,
    state: 'in-progress',
    createdAt: new Date().toISOString(),
    lifeboatVersion,
    source: {
      device: disk.device,
      name: diskName,
      ids: disk.ids,
      ...(disk.model ? { model: disk.model } : {}),
      ...(disk.serial ? { serial: disk.serial } : {}),
      ...(disk.wwn ? { wwn: disk.wwn } : {}),
      ...(disk.backingFile ? { backingFile: disk.backingFile } : {}),
      sizeBytes: disk.sizeBytes,
      logicalSectorSize: disk.logicalSectorSize,
      physicalSectorSize: disk.physicalSectorSize,
    },
    table: {
      type: table.type,
      id: table.id,
      sectorSize: sector,
      ...(table.firstLba !== undefined ? { firstLba: table.firstLba } : {}),
      ...(table.lastLba !== undefined ? { lastLba: table.lastLba } : {}),
      requiredBytes: (Math.max(0, ...table.partitions.map((p) => p.start + p.size)) + (table.type === 'gpt' ? gptBackupSectors : 0)) * sector,
    },
    compression: { codec: plan.codec.name, ...(plan.level !== undefined ? { level: plan.level } : {}), ...(plan.splitBytes ? { splitBytes: plan.splitBytes } : {}) },
    ...(plan.rescue ? { rescue: { policy: rescuePolicy } } : {}),
    partitions: [],
    layout: disk.layout,
    bootRecords: {},
    files: {},
    tools: {},
    timings: {},
  };
  // The manifest comes first, marked in-progress: a backup killed at any point leaves a directory that says so.
  await writeManifest(dir, manifest);
  const total = plan.partitions.reduce((n, p) => n + p.weight, 0) + plan.lvm.vgs.flatMap((v) => v.lvs).reduce((n, l) => n + l.weight, 0);
  onEvent({ type: 'start', job: 'backup', device: disk.device, image: plan.shownImage, partitions: plan.partitions.filter((p) => p.handler).length, totalBytes: total });
  const put = (file: string, data: string | Buffer) => writer.writeFile(file, data);
  // The commands of this backup, for Clonezilla's clonezilla-img log.
  const commandLog: string[] = [];
  const stopLog = runner.addSink((e) => commandLog.push(`${e.startedAt} ${e.command} -> ${e.ok ? 'ok' : `failed (${e.exitCode ?? e.signal})`} ${e.durationMs} ms`));
  let ok = false;
  /** Work started beside the partitions' data (the table's dumps): settled before the image is published or aborted. */
  let pending: Promise<void> = Promise.resolve();
  // The next partition's partclone starts once this one's data is through (pipeline/scheduler.ts): the last
  // piece's sync on the store overlaps it. Every partition is done before the manifest is written.
  const saves = createScheduler<void>();
  try {
    onEvent({ type: 'step', job: 'backup', message: 'saving the partition table and boot records' });
    await put(names.disk, `${diskName}\n`);
    // Clonezilla's parts lists a PV's partition too (restoredisk then restores its VG through restore_logv).
    await put(names.parts, `${plan.partitions.filter((p) => p.action === 'partclone' || p.action === 'raw' || p.action === 'lvm-pv').map((p) => p.name).join(' ')}\n`);
    // The table's dumps and the boot records are not needed before partclone starts: they are saved while the first
    // partition's data flows (the issue's "probes that are not needed before partclone starts run while it runs").
    const tables = (async () => {
      const dump = (await runner.run('sfdisk', ['--dump', disk.device])).stdout;
      await put(names.partTable(diskName), dump);
      const parted = await runner.run('parted', ['-s', disk.device, 'unit', 's', 'print'], { env: { LC_ALL: 'C' } });
      await put(`${diskName}-pt.parted`, parted.stdout);
      const compact = await runner.run('parted', ['-s', disk.device, 'unit', 'compact', 'print'], { env: { LC_ALL: 'C' } });
      await put(`${diskName}-pt.parted.compact`, compact.stdout);
      await put(names.mbr(diskName), await readBytes(disk.device, 0, 512));
      manifest.bootRecords.mbr = names.mbr(diskName);
      if (plan.hiddenDataSectors > 0) {
        await put(names.hiddenAfterMbr(diskName), await readBytes(disk.device, sector, plan.hiddenDataSectors * sector));
        manifest.bootRecords.hiddenDataAfterMbr = names.hiddenAfterMbr(diskName);
        manifest.bootRecords.hiddenDataBytes = plan.hiddenDataSectors * sector;
      }
      if (table.type === 'gpt') {
        await put(names.gpt1st(diskName), await readBytes(disk.device, 0, gptPrimarySectors * sector));
        await put(names.gpt2nd(diskName), await readBytes(disk.device, disk.sizeBytes - gptBackupSectors * sector, gptBackupSectors * sector));
        await runner.run('sgdisk', ['-b', path.join(dir, names.gptBackup(diskName)), disk.device]);
        const printed = await runner.run('sgdisk', ['-p', disk.device]);
        await put(names.gptPrint(diskName), printed.stdout);
        Object.assign(manifest.bootRecords, { gpt1st: names.gpt1st(diskName), gpt2nd: names.gpt2nd(diskName), gptBackup: names.gptBackup(diskName) });
      }
    })();
    pending = tables;
    tables.catch(() => undefined); // its failure is reported where it is awaited, after the partitions
    manifest.bootRecords.bootPartitions = plan.bootPartitions;
    const blkidLines: string[] = [];
    const devFs: string[] = ['# <Device name>   <File system>   <Size>', '# File system is got from ocs-get-dev-info. It might be different from that of blkid or parted.'];
    for (const p of plan.partitions) {
      if (p.action !== 'extended') blkidLines.push(blkidLine(p.device, p.source.fs.raw));
      if (p.action === 'partclone' || p.action === 'raw') devFs.push(`${p.device} ${p.handler!.fsName === 'dd' ? (p.source.fs.type ?? 'unknown') : p.handler!.fsName} ${mib(p.source.sizeBytes)}`);
      if (p.action === 'swap') devFs.push(`${p.device} swap ${mib(p.source.sizeBytes)}`);
    }
    for (const lv of plan.lvm.vgs.flatMap((v) => (v.mode === 'lvm' ? v.lvs : []))) {
      if (lv.facts.fs) blkidLines.push(blkidLine(lv.device, lv.facts.fs.raw));
      devFs.push(`${lv.path} ${lv.action === 'swap' ? 'swap' : lv.handler!.fsName === 'dd' ? (lv.facts.fs?.type ?? 'unknown') : lv.handler!.fsName} ${mib(lv.sizeBytes)}`);
    }
    await put(names.blkidList, `${blkidLines.join('\n')}\n`);
    await put(names.devFsList, `${devFs.join('\n')}\n`);
    await put(names.savedBy, `lifeboat backup ${disk.device} ${plan.imageDir} (Lifeboat ${lifeboatVersion})\n`);

    const tracker = new ProgressTracker(total);
    /**
     * One partition's or LV's data through partclone (or partclone.dd) and the compressor into its file or pieces, as
     * the scheduler's job; `key` names its rescue staging files.
     */
    const saveVolume = (v: { device: string; name: string; key: string; handler: FsHandler; raw: boolean; file: string; weight: number; start: number; fsType: string | undefined; frozen?: FrozenReadPlan | undefined }, entry: ManifestVolume) => {
      const t0 = Date.now();
      const handler = v.handler;
      onEvent({ type: 'step', job: 'backup', message: `saving ${v.name} (${handler.fsName})` });
      // Read errors (imager/rescue/): partclone's rescue flag names each unreadable sector; by default the first
      // complete range stops the backup, with --rescue every range is recorded. partclone.dd gets no flag.
      const place: PartitionPlace = { name: v.name, device: v.device, start: v.start, sectorSize: sector, fsType: v.fsType };
      const watch = new UnreadableWatch(!plan.rescue);
      const atFirstRange = new AbortController();
      let blockBytes: number | undefined;
      // --rescue of a raw partition: ddrescue copies it into a staging file first; partclone.dd then reads that.
      let raw: RawRescue | undefined;
      const stages = composePipeline({
        direction: 'save',
        support: v.raw ? 'raw' : 'partclone',
        codec: plan.codec,
        level: plan.level,
        output: { dir, base: v.file, splitBytes: plan.splitBytes, command: writer.streamCommand?.(v.file) },
        partclone: (fifo) => (!v.raw ? withRescueFlag(handler.save(frozen?.device ?? v.device, fifo)) : handler.save(raw?.staging ?? v.device, fifo)),
      });
      let through = false;
      // A mounted filesystem read frozen: partclone reads it through a read-only loop; thawed once its data is through.
      let frozen: FrozenRead | undefined;
      const save = async (onThrough: () => void) => {
        if (plan.rescue && v.raw) {
          onEvent({ type: 'step', job: 'backup', message: `reading ${v.name} with ddrescue into a staging file` });
          raw = await rescueRawCopy(runner, v.device, path.join(dir, `.${v.key}.ddrescue-staging`), path.join(dir, `${v.key}-ddrescue.map`), sector, signal);
        }
        try {
          if (v.frozen) {
            onEvent({ type: 'step', job: 'backup', message: `freezing ${v.frozen.mountpoint} (${v.name}) while partclone reads it` });
            frozen = await freezeForRead(runner, v.device, v.frozen.mountpoint, v.frozen.limitSeconds);
          }
          await savePipeline(() => {
            void thaw();
            onThrough();
          });
          entry.read = v.frozen ? 'frozen' : entry.read;
        } catch (e) {
          if (frozen?.overdue.aborted && !signal?.aborted)
            throw new RefusedError(`${v.name} stayed frozen ${hardLimitFactor * v.frozen!.limitSeconds} s (${hardLimitFactor} times the ${v.frozen!.limitSeconds} s limit) before partclone was through; it was thawed and the backup stopped, no image was kept`, 'raise --freeze-limit, use a faster store, or image it from the Lifeboat stick');
          throw e;
        } finally {
          await thaw();
          await raw?.remove();
        }
      };
      let thawing: Promise<void> | undefined;
      const thaw = () => {
        if (!frozen) return Promise.resolve();
        thawing ??= (async () => {
          const seconds = frozen.frozenSeconds();
          await frozen.thaw();
          onEvent({ type: 'step', job: 'backup', message: `${v.frozen!.mountpoint} thawed after ${seconds.toFixed(1)} s frozen` });
        })();
        return thawing;
      };
      const savePipeline = async (onThrough: () => void) => {
        // The compressor's output is hashed as it passes to the file or pieces: no image byte is read back.
        const { digests } = await runPipeline(stages, {
          runner,
          hint: 'check the partition with fsck, or image it raw',
          signal: AbortSignal.any([...(signal ? [signal] : []), atFirstRange.signal, ...(frozen ? [frozen.overdue] : [])]),
          onThrough: () => {
            if (!through) tracker.finish(v.weight);
            through = true;
            onThrough();
          },
          onEvent: (e) => {
            if (e.kind === 'block-size') blockBytes = e.bytes;
            if (watch.feed(e)) atFirstRange.abort();
            if (e.kind !== 'progress' || through) return;
            const overall = tracker.overall(v.weight, e.percent);
            onEvent({
              type: 'progress',
              job: 'backup',
              partition: v.name,
              percent: e.percent,
              overallPercent: overall,
              bytesPerSecond: e.bytesPerMinute !== undefined ? e.bytesPerMinute / 60 : undefined,
              etaSeconds: tracker.eta(overall),
            });
          },
        }).catch((e: unknown) => {
          if (atFirstRange.signal.aborted && !signal?.aborted) throw unreadableError(place, watch.found()[0]);
          if (watch.sawBadSectors() && !signal?.aborted) throw unreadableError(place, undefined);
          throw e;
        });
        const unreadable = raw ? raw.unreadable : watch.found();
        if (unreadable.length > 0 && !plan.rescue) throw unreadableError(place, unreadable[0]);
        if (unreadable.length > 0) {
          entry.unreadable = await recordUnreadable(runner, place, unreadable, blockBytes);
          onEvent({ type: 'step', job: 'backup', message: `${v.name}: ${entry.unreadable.bytes} bytes could not be read; recorded in the manifest` });
        }
        for (const [file, digest] of digests) manifest.files[file] = digest;
        const imageBytes = [...digests.values()].reduce((n, d) => n + d.bytes, 0);
        entry.fsName = handler.fsName;
        entry.tool = handler.save('SRC', 'OUT')[0]!;
        entry.files = [...digests.keys()].sort();
        entry.usedBytes = v.weight;
        entry.imageBytes = imageBytes;
        entry.seconds = (Date.now() - t0) / 1000;
        onEvent({ type: 'partition-done', job: 'backup', partition: v.name, bytes: imageBytes, seconds: entry.seconds });
      };
      return save;
    };
    for (const p of plan.partitions) {
      if (signal?.aborted) throw new InterruptedError('backup interrupted');
      const entry: ManifestPartition = {
        number: p.number,
        name: p.name,
        start: p.source.start,
        size: p.source.size,
        type: p.source.type,
        ...(p.source.uuid ? { uuid: p.source.uuid } : {}),
        ...(p.source.name ? { label: p.source.name } : {}),
        ...(p.source.fs.type ? { fsType: p.source.fs.type } : {}),
        ...(p.source.fs.uuid ? { fsUuid: p.source.fs.uuid } : {}),
        ...(p.source.fs.label ? { fsLabel: p.source.fs.label } : {}),
        action: p.action,
      };
      if (p.action === 'swap') {
        const lines = [`UUID="${p.source.fs.uuid ?? ''}"`, `LABEL="${p.source.fs.label ?? ''}"`];
        await put(names.swapInfo(p.name), `${lines.join('\n')}\n`);
      } else if (p.action === 'extended') {
        await put(`${p.name}-ebr`, await readBytes(disk.device, p.source.start * sector, 512));
      } else if (p.action === 'partclone' || p.action === 'raw') {
        await saves.start(saveVolume({ device: p.device, name: p.name, key: p.name, handler: p.handler!, raw: p.action === 'raw', file: p.file!, weight: p.weight, start: p.source.start, fsType: p.source.fs.type, frozen: p.read }, entry));
      }
      // lvm-pv: nothing of its own; its VG is saved LV by LV below.
      manifest.partitions.push(entry);
    }
    // The VGs saved LV by LV (Clonezilla's save_logv): their lists and metadata, then each LV as a partition is.
    const vgs = await saveLvmMetadata(runner, plan.lvm.vgs, put);
    if (vgs.length > 0) manifest.lvm = vgs;
    for (const vg of plan.lvm.vgs.filter((v) => v.mode === 'lvm')) {
      const entries = vgs.find((v) => v.name === vg.name)!.lvs;
      for (const lv of vg.lvs) {
        if (signal?.aborted) throw new InterruptedError('backup interrupted');
        const entry = entries.find((e) => e.name === lv.name)!;
        if (lv.action === 'swap') await put(lv.file, `UUID="${lv.facts.fs?.uuid ?? ''}"\nLABEL="${lv.facts.fs?.label ?? ''}"\n`);
        else {
          const snap = point.snapshots.get(`${vg.name}/${lv.name}`);
          const save = saveVolume({ device: snap?.device ?? lv.device, name: `${vg.name}/${lv.name}`, key: lvmNames.lvImageBase(vg.name, lv.name), handler: lv.handler!, raw: lv.action === 'raw', file: lv.file, weight: lv.weight, start: 0, fsType: lv.facts.fs?.type }, entry);
          await saves.start(snap ? fromSnapshot(snap, lv, save, () => (entry.read = 'snapshot'), signal) : save);
        }
      }
    }
    await saves.settle();
    // Every volume is read: the snapshot point is over.
    await point.over(true);
    await tables;
    // The systems' configuration in readable form (imager/config/), once every filesystem's data is through.
    const sources: ConfigSource[] = [
      ...plan.partitions.filter((p) => p.action === 'partclone').map((p) => ({ name: p.name, device: p.device, fsType: p.source.fs.type, ...(p.read ? { mountedAt: p.read.mountpoint } : {}) })),
      ...plan.lvm.vgs.flatMap((vg) => (vg.mode === 'lvm' ? vg.lvs.filter((l) => l.action === 'partclone').map((l) => ({ name: `${vg.name}/${l.name}`, device: l.device, fsType: l.facts.fs?.type, ...(l.read ? { mountedAt: l.facts.mountpoints[0]! } : {}) })) : [])),
    ];
    if (sources.length > 0) onEvent({ type: 'step', job: 'backup', message: 'keeping the systems\' configuration (/etc, packages, boot loader, registry hives)' });
    const config = await collectConfig(runner, dir, sources, signal);
    for (const w of config.warnings) onEvent({ type: 'warning', job: 'backup', message: w });
    if (config.kept.length > 0) manifest.config = config.kept;
    manifest.tools = await tools;
    // Clonezilla lists an image by clonezilla-img (its save log, with the time it was made) and Info-img-id.txt. Its
    // first line starts as Clonezilla's own: Clonezilla opens an encrypted image only when the decrypted clonezilla-img
    // matches ^This image was saved by Clonezilla (ocs-functions, task_gocryptfs_mount_point).
    const now = new Date();
    const stamp = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}${String(now.getUTCDate()).padStart(2, '0')}-${String(now.getUTCHours()).padStart(2, '0')}${String(now.getUTCMinutes()).padStart(2, '0')}`;
    const czLog = [`This image was saved by Clonezilla-compatible Lifeboat ${lifeboatVersion} at ${now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}.`, 'The log during saving:', '-'.repeat(58), ...commandLog, '### End of log ###', `### Image created time: ${stamp}`].join('\n');
    await put(names.clonezillaImg, `${czLog}\n`);
    const imgId = (await import('node:crypto')).createHash('sha512').update(`${czLog}\n`).digest('hex');
    await put(names.imgId, `# This checksum is only for identifying the image. Created by the command: sha512sum clonezilla-img\nIMG_ID=${imgId}\n`);
    // Every other file gets its digest too; then the manifest says complete, and only then the image gets its name.
    for (const file of [...(await readdir(dir)).filter((f) => f !== configFolder), ...(manifest.config ?? []).flatMap((c) => c.files.map((f) => `${c.folder}/${f}`))].sort()) {
      if (file === manifestFile || manifest.files[file]) continue;
      const d = await sha256File(path.join(dir, file));
      manifest.files[file] = { bytes: d.bytes, sha256: d.sha256 };
    }
    manifest.timings['totalSeconds'] = (Date.now() - started) / 1000;
    manifest.state = manifest.partitions.some((q) => q.unreadable) ? 'complete-with-unreadable-sectors' : 'complete';
    manifest.finishedAt = new Date().toISOString();
    await writeManifest(dir, manifest);
    await writer.publish();
    ok = true;
    const bytes = Object.values(manifest.files).reduce((n, f) => n + f.bytes, 0);
    onEvent({ type: 'done', job: 'backup', image: plan.shownImage, device: disk.device, seconds: manifest.timings['totalSeconds']!, bytes });
    return { imageDir: plan.imageDir, manifest };
  } catch (e) {
    if (signal?.aborted) throw new InterruptedError('backup interrupted; the partial image was removed');
    throw e;
  } finally {
    await saves.drain(); // after a failure: no partition's tail still writes into the image
    await pending.catch(() => undefined); // nor the table's dumps
    stopLog();
    if (!ok) await writer.abort();
  }
}

export { describeBackupPlan };

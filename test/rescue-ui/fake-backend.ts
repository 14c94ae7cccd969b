// Test helper: a fake Backend for the component tests: disks, stores and images as data, plans as given, and jobs
// that the test drives (events in, then resolve or reject), recording every call.
import type { Backend, BackupOutcome, BackupRequest, BackupSummary, ChecksumReport, CloneOutcome, CloneRequest, CloneSummary, CommandLogEntry, Disk, FoundImage, ImagerEvent, JobHooks, RestoreOutcome, RestoreRequest, RestoreSummary, Store, VerifyOutcome } from '../../rescue-ui/backend/port.js';

export interface PartSpec {
  n: number;
  fs?: string;
  label?: string;
  mib: number;
  usedMib?: number;
  mount?: string;
}

/** A Disk as the imager's probe would describe it. */
export function fakeDisk(device: string, mib: number, parts: PartSpec[], extra: Partial<Disk> = {}): Disk {
  const name = device.replace('/dev/', '');
  const sep = /\d$/.test(name) ? 'p' : '';
  return {
    device,
    name,
    majMin: '7:0',
    ids: [],
    model: undefined,
    serial: undefined,
    wwn: undefined,
    sizeBytes: mib * 1024 * 1024,
    logicalSectorSize: 512,
    physicalSectorSize: 512,
    removable: false,
    readOnly: false,
    transport: undefined,
    backingFile: undefined,
    table: undefined,
    tableType: parts.length ? 'gpt' : 'none',
    partitions: parts.map((p) => ({
      number: p.n,
      device: `${device}${sep}${p.n}`,
      start: 2048,
      size: p.mib * 2048,
      sizeBytes: p.mib * 1024 * 1024,
      type: 'linux',
      uuid: undefined,
      name: undefined,
      extended: false,
      fs: { type: p.fs, uuid: undefined, label: p.label, version: undefined, usage: undefined, ptType: undefined, raw: {} },
      usedBytes: p.usedMib !== undefined ? p.usedMib * 1024 * 1024 : undefined,
      mountpoints: p.mount ? [p.mount] : [],
      swapActive: false,
    })),
    layout: { sizeBytes: mib * 1024 * 1024, logicalSectorSize: 512 },
    inUse: parts.some((p) => p.mount),
    liveMedium: false,
    ...extra,
  };
}

export function fakeImage(path: string, extra: Partial<FoundImage> = {}): FoundImage {
  return {
    store: '/dev/sdb1',
    path,
    origin: 'lifeboat',
    diskName: 'sda',
    tableType: 'gpt',
    requiredBytes: 500 * 1024 * 1024,
    imageBytes: 120 * 1024 * 1024,
    createdAt: '2026-11-26T10:00:00.000Z',
    partitions: [
      { name: 'sda1', fsType: 'vfat', label: 'ESP', imageBytes: 2 * 1024 * 1024, action: 'partclone' },
      { name: 'sda2', fsType: 'ext4', label: 'root', imageBytes: 118 * 1024 * 1024, action: 'partclone' },
    ],
    last: { name: 'sda2', fsType: 'ext4', fsGrows: true },
    problem: undefined,
    ...extra,
  };
}

/** A job the test finishes: it has the hooks the screen passed, and resolve/reject. */
export interface PendingJob<T> {
  hooks: JobHooks;
  emit(e: ImagerEvent): void;
  resolve(v: T): void;
  reject(e: Error): void;
}

function pending<T>(hooks: JobHooks): { job: PendingJob<T>; promise: Promise<T> } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { job: { hooks, emit: hooks.onEvent, resolve, reject }, promise };
}

export interface FakeOptions {
  disks?: Disk[];
  stores?: Store[];
  images?: FoundImage[];
  backupPlan?: (req: BackupRequest) => BackupSummary;
  restorePlan?: (req: RestoreRequest) => RestoreSummary;
  clonePlan?: (req: CloneRequest) => CloneSummary;
  check?: ChecksumReport;
  listDisksError?: Error;
  /** findImages never answers (a slow store). */
  imagesHang?: boolean;
  powerError?: Error;
}

export class FakeBackend implements Backend {
  calls: string[] = [];
  jobs: PendingJob<unknown>[] = [];
  entries: CommandLogEntry[] = [];
  private readonly listeners = new Set<(e: CommandLogEntry) => void>();
  constructor(public opts: FakeOptions = {}) {}

  async listDisks() {
    this.calls.push('listDisks');
    if (this.opts.listDisksError) throw this.opts.listDisksError;
    return this.opts.disks ?? [];
  }
  async listStores(source: string) {
    this.calls.push(`listStores ${source}`);
    return (this.opts.stores ?? []).filter((s) => s.disk !== source);
  }
  async planBackup(req: BackupRequest) {
    this.calls.push(`planBackup ${req.disk} ${req.store.device} ${req.name} ${req.compression}`);
    return (this.opts.backupPlan ?? defaultBackupPlan)(req);
  }
  runBackup(req: BackupRequest, hooks: JobHooks): Promise<BackupOutcome> {
    this.calls.push(`runBackup ${req.disk} ${req.name}`);
    const { job, promise } = pending<BackupOutcome>(hooks);
    this.jobs.push(job as PendingJob<unknown>);
    return promise;
  }
  async findImages() {
    this.calls.push('findImages');
    if (this.opts.imagesHang) await new Promise(() => undefined);
    return this.opts.images ?? [];
  }
  async checkImage(image: FoundImage) {
    this.calls.push(`checkImage ${image.path}`);
    return this.opts.check ?? { state: 'ok' as const, files: 12, problems: [] };
  }
  async planRestore(req: RestoreRequest) {
    this.calls.push(`planRestore ${req.image.path} ${req.disk} bootOnly=${req.bootOnly}${req.grow ? ' grow' : ''}${req.shrink ? ' shrink' : ''}`);
    return (this.opts.restorePlan ?? defaultRestorePlan)(req);
  }
  runRestore(req: RestoreRequest, hooks: JobHooks): Promise<RestoreOutcome> {
    this.calls.push(`runRestore ${req.image.path} ${req.disk} bootOnly=${req.bootOnly}${req.grow ? ' grow' : ''}${req.shrink ? ' shrink' : ''}`);
    const { job, promise } = pending<RestoreOutcome>(hooks);
    this.jobs.push(job as PendingJob<unknown>);
    return promise;
  }
  async planClone(req: CloneRequest) {
    this.calls.push(`planClone ${req.source} ${req.target}${req.grow ? ' grow' : ''}`);
    return (this.opts.clonePlan ?? defaultClonePlan)(req);
  }
  runClone(req: CloneRequest, hooks: JobHooks): Promise<CloneOutcome> {
    this.calls.push(`runClone ${req.source} ${req.target}${req.grow ? ' grow' : ''}`);
    const { job, promise } = pending<CloneOutcome>(hooks);
    this.jobs.push(job as PendingJob<unknown>);
    return promise;
  }
  verify(image: FoundImage, hooks: JobHooks): Promise<VerifyOutcome> {
    this.calls.push(`verify ${image.path}`);
    const { job, promise } = pending<VerifyOutcome>(hooks);
    this.jobs.push(job as PendingJob<unknown>);
    return promise;
  }
  log() {
    return [...this.entries];
  }
  onLog(fn: (e: CommandLogEntry) => void) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  addLog(e: Partial<CommandLogEntry> & { command: string }) {
    const entry = { startedAt: '2026-11-26T12:00:01.000Z', durationMs: 12, exitCode: 0, signal: undefined, ok: true, ...e };
    this.entries.push(entry);
    for (const l of this.listeners) l(entry);
  }
  async power(action: 'reboot' | 'poweroff') {
    this.calls.push(`power ${action}`);
    if (this.opts.powerError) throw this.opts.powerError;
  }
  async close() {
    this.calls.push('close');
  }
}

export function defaultBackupPlan(req: BackupRequest): BackupSummary {
  return {
    lines: [`Back up ${req.disk}`],
    source: { device: req.disk, tableType: 'gpt', sizeBytes: 1024 ** 3 },
    partitions: [
      { name: 'sda1', what: 'vfat, used blocks', bytes: 2 * 1024 * 1024 },
      { name: 'sda2', what: 'ext4, used blocks', bytes: 300 * 1024 * 1024 },
    ],
    refusals: [],
    imageDir: `${req.store.device}:/${req.name}`,
    requiredBytes: 304 * 1024 * 1024,
    freeBytes: 10 * 1024 ** 3,
  };
}

export function defaultRestorePlan(req: RestoreRequest): RestoreSummary {
  return {
    lines: [],
    layout: [],
    steps: req.bootOnly ? ['write the MBR boot code (440 bytes)', 'restore sda1 (vfat, 2097152 bytes of image) to /dev/sdc1'] : ['write the gpt partition table (2 partitions) to ' + req.disk, 'restore sda2 (ext4) to ' + req.disk + '2'],
    refusals: [],
    warnings: [],
    target: { device: req.disk, name: req.disk.replace('/dev/', ''), sizeBytes: 1024 ** 3, model: 'QEMU HARDDISK' },
  };
}

/** A clone of a 1 GiB disk (two partitions) onto a target of 2 GiB. */
export function defaultClonePlan(req: CloneRequest): CloneSummary {
  return {
    lines: [],
    steps: [`write the gpt partition table (2 partitions${req.grow ? ', the last one grown' : ''}) to ${req.target}`, `copy ${req.source}1 to ${req.target}1 (ext4 with partclone, 314572800 bytes used)`, `check the ext4 filesystem on ${req.target}1`],
    refusals: [],
    warnings: [],
    requiredBytes: 1024 ** 3,
    source: { device: req.source, sizeBytes: 1024 ** 3 },
    target: { device: req.target, name: req.target.replace('/dev/', ''), sizeBytes: 2 * 1024 ** 3, model: 'QEMU HARDDISK' },
  };
}

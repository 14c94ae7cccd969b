// A restic repository as a store. Writing: the image's small files gather in a private staging folder, every partition
// stream goes into its own `restic backup --stdin` snapshot, and publish adds the small files (lifeboat.json last
// written) as the set's manifest snapshot; abort forgets what the set wrote. Reading: `restic mount` (FUSE) in a
// private folder, and one folder of links per image onto the mounted snapshots, so every reading job (verify, info,
// restore, with its checks before writing) reads the image as a folder. Released: unmounted, private folder removed.
import { mkdir, readdir, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { check } from 'diskusage';
import { CommandError, InvalidImageError, LifeboatError, NotFoundError, UsageError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { diskHolding } from '../backup/prepare.js';
import { manifestFile } from '../image/layout.js';
import { readManifest } from '../image/manifest.js';
import type { ImageAbout, ImageWriter, ListedImage, OpenedStore, StoreMode } from '../store/store.js';
import { isMounted, unmountFuse } from '../store/fuse-unmount.js';
import { openPartitionStore } from '../store/partition.js';
import { openRestic, type Restic } from './restic.js';
import { diskIdentity, groupSnapshots, imageFolder, pickImage, tags, type RepositoryImage, type ResticSnapshot } from './snapshots.js';
import type { ResticRef } from './uri.js';

/** restic's --time: local time, "2006-01-02 15:04:05". */
function resticTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** restic --json backup's last line: the summary (snapshot id, data added). */
export function parseBackupSummary(stdout: string): { snapshot: string; addedBytes: number; processedBytes: number } {
  for (const line of stdout.trim().split('\n').reverse()) {
    try {
      const o = JSON.parse(line) as { message_type?: string; snapshot_id?: string; data_added?: number; total_bytes_processed?: number };
      if (o.message_type === 'summary' && o.snapshot_id) return { snapshot: o.snapshot_id, addedBytes: o.data_added ?? 0, processedBytes: o.total_bytes_processed ?? 0 };
    } catch {
      continue;
    }
  }
  throw new Error(`restic backup printed no summary: ${stdout.trim().slice(-200)}`);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Whether the repository exists; a folder that is not empty and not a repository is refused, never made one. */
export async function ensureRepository(restic: Restic, mode: StoreMode): Promise<void> {
  const ref = restic.ref;
  if (ref.localPath) {
    if (await exists(path.join(ref.localPath, 'config'))) return;
    const entries = await readdir(ref.localPath).catch(() => undefined);
    if (entries && entries.length > 0) throw new InvalidImageError(`${ref.uri} is a folder that holds other files, not a restic repository`, { hint: 'give the folder of a restic repository, or an empty or new folder to create one in' });
    if (mode === 'read') throw new NotFoundError(`no restic repository at ${ref.uri}`, 'give the folder of a restic repository (lifeboat backup creates one)');
    if (!entries && !(await exists(path.dirname(ref.localPath)))) throw new NotFoundError(`the destination ${path.dirname(ref.localPath)} does not exist`, 'mount the store first, or give an existing folder');
    await restic.run(['init']);
    return;
  }
  try {
    await restic.run(['cat', 'config']);
  } catch (e) {
    if (mode === 'write' && e instanceof InvalidImageError && /is not a restic repository/.test(e.message)) await restic.run(['init']);
    else throw e;
  }
}

/** Lifeboat's snapshots in the repository, grouped into backups (newest first). */
export async function listRepositoryImages(restic: Restic): Promise<RepositoryImage[]> {
  const out = (await restic.run(['snapshots', '--json', '--tag', tags.all])).stdout;
  return groupSnapshots((JSON.parse(out || '[]') as ResticSnapshot[] | null) ?? []);
}

/** The complete image that `#name` picks (an id or its prefix, or latest of the one disk), or why none: exit 2 or 3. */
export function chooseImage(images: RepositoryImage[], name: string, uri: string): RepositoryImage {
  const r = pickImage(images, name);
  if (!('error' in r)) return r;
  if (r.error === 'several-disks') throw new UsageError(`${uri} holds backups of ${r.disks!.length} disks: name the snapshot`, `${uri}#SNAPSHOT; lifeboat images ${uri} lists them (${r.disks!.join(', ')})`);
  if (r.error === 'ambiguous') throw new UsageError(`${uri}#${name} names more than one snapshot`, 'give more digits of its id');
  throw new NotFoundError(name === 'latest' ? `${uri} holds no complete backup` : `no backup ${name} in ${uri}`, `lifeboat images ${uri} lists them`);
}

/** Mounts the repository read-only under dir and waits until the mount stands (or restic ends, with its reason). */
async function mountRepository(runner: Runner, restic: Restic, dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const [file, ...args] = restic.argv(['mount', '--no-default-permissions', dir], { dieWithParent: 'SIGTERM' });
  const running = runner.start(file!, args, { env: restic.env, collectStdout: false, stdout: 'ignore' });
  let ended: unknown;
  let over = false;
  const settled = running.done.then(
    () => (over = true),
    (e: unknown) => {
      over = true;
      ended = e;
    },
  );
  // Wait on the condition: the mount in the kernel's table, or restic gone (its error says why).
  for (let i = 0; !over && !(await isMounted(dir)); i++) {
    if (i > 1200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (over || !(await isMounted(dir))) {
    running.child.kill('SIGTERM');
    await settled;
    throw ended ? restic.explain(ended) : new Error(`restic mount of ${restic.ref.uri} did not come up`);
  }
  return async () => {
    const gone = await unmountFuse(runner, dir);
    if (!over) {
      const quit = setTimeout(() => running.child.kill('SIGTERM'), 10_000);
      await settled;
      clearTimeout(quit);
    }
    if (gone || !(await isMounted(dir))) await rmdir(dir).catch(() => undefined);
  };
}

/** One folder of links per complete image: the manifest snapshot's small files, and each partition stream. */
async function linkImage(mnt: string, dir: string, image: RepositoryImage): Promise<void> {
  await mkdir(dir, { recursive: true });
  const small = path.join(mnt, 'ids', image.snapshot, imageFolder);
  for (const f of await readdir(small)) await symlink(path.join(small, f), path.join(dir, f));
  for (const [file, snap] of image.streams) await symlink(path.join(mnt, 'ids', snap, file), path.join(dir, file));
}

/** The writer of one backup: a set of snapshots sharing a set tag; published by its manifest snapshot. */
function repositoryWriter(restic: Restic, name: string, about: ImageAbout | undefined): Promise<ImageWriter> {
  const set = randomBytes(8).toString('hex');
  const stage = path.join(restic.privateDir, `stage-${set}`);
  const partialDir = path.join(stage, imageFolder);
  const identity = about ? diskIdentity(about.disk) : `name:${name}`;
  const time = resticTime(about?.time ?? new Date());
  const common = ['--json', '--host', identity, '--time', time, '--tag', [tags.all, tags.set(set)].join(',')];
  let added = 0;
  let published: string | undefined;
  let wrote = false;
  const writer: ImageWriter = {
    name,
    partialDir,
    writeFile: async (file, data) => {
      await mkdir(path.dirname(path.join(partialDir, file)), { recursive: true });
      await writeFile(path.join(partialDir, file), data);
    },
    createWriteStream: async (file) => (await import('node:fs')).createWriteStream(path.join(partialDir, file), { flags: 'wx' }),
    streamCommand: (file) => {
      wrote = true;
      return {
        file,
        argv: restic.argv(['backup', '--stdin', '--stdin-filename', file, ...common, '--tag', tags.part], { dieWithParent: 'SIGKILL' }),
        env: restic.env,
        explain: restic.explain,
        onOutput: (stdout) => void (added += parseBackupSummary(stdout).addedBytes),
      };
    },
    async publish() {
      wrote = true;
      const manifest = await readManifest(partialDir);
      const bytes = Object.values(manifest?.files ?? {}).reduce((n, f) => n + f.bytes, 0) + (await stat(path.join(partialDir, manifestFile))).size;
      // The manifest snapshot's tags carry the backup's totals (the streams' new data; the small files add a few KiB).
      const args = ['backup', ...common, '--tag', [tags.manifest, tags.name(name), tags.disk(about?.disk.name ?? name), tags.bytes(bytes), tags.added(added)].join(','), imageFolder];
      // A relative path from the staging folder: the snapshot's tree holds image/… only (the mount shows ids/<id>/image).
      const r = await restic.run(args, { cwd: stage });
      const summary = parseBackupSummary(r.stdout);
      added += summary.addedBytes;
      published = summary.snapshot;
      await rm(stage, { recursive: true, force: true });
    },
    async abort() {
      await rm(stage, { recursive: true, force: true });
      if (published || !wrote) return;
      // What the set wrote goes (its streams' snapshots); their data goes with the next prune. A set left behind
      // anyway (the repository locked by another job) has no manifest snapshot: never an image, forgotten next time.
      await restic.run(['forget', '--tag', tags.set(set)]).catch(() => undefined);
    },
    stored: () => ({ image: `${restic.ref.uri}#${published ?? '?'}`, addedBytes: published ? added : undefined }),
  };
  return mkdir(partialDir, { recursive: true }).then(() => writer);
}

/**
 * A repository in a partition (restic:LABEL=STORE:/repo): the partition mounted read-write for the job (restic writes
 * its locks even to read), the repository opened in it, and the job's log beside the repository folder.
 */
async function openHeldRepository(runner: Runner, ref: ResticRef & { on: { device: string; folder: string } }, mode: StoreMode): Promise<OpenedStore> {
  const part = await openPartitionStore(runner, { device: ref.on.device, folder: '' }, 'write');
  try {
    const local = path.join(part.root, ref.on.folder);
    const inner = await openResticStore(runner, { ...ref, on: undefined, repository: local, localPath: local }, mode);
    const logDir = ref.on.folder ? path.dirname(local) : local;
    return {
      ...inner,
      writeRootFile: async (file, text) => {
          await writeFile(path.join(logDir, file), text);
      },
      release: async () => {
        try {
          await inner.release();
        } finally {
          await part.release();
        }
      },
    };
  } catch (e) {
    await part.release();
    throw e;
  }
}

/** Opens a restic repository as a store; release() must run (usingStore and withStore do it). */
export async function openResticStore(runner: Runner, ref: ResticRef, mode: StoreMode): Promise<OpenedStore> {
  if (ref.on) return openHeldRepository(runner, ref as ResticRef & { on: { device: string; folder: string } }, mode);
  const restic = await openRestic(runner, ref);
  const cleanups: Array<() => Promise<void>> = [() => restic.release()];
  const release = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    await ensureRepository(restic, mode);
    // restic's own rule for stale locks (its process ended on this host, or older than 30 minutes): removed here.
    await restic.run(['unlock']);
    let images: RepositoryImage[] = [];
    const imagesDir = path.join(restic.privateDir, 'images');
    // The links only (rm does not follow them into the mount).
    cleanups.push(() => rm(imagesDir, { recursive: true, force: true }));
    if (mode === 'read') {
      images = await listRepositoryImages(restic);
      const mnt = path.join(restic.privateDir, 'mnt');
      if (images.some((i) => i.complete)) {
        cleanups.push(await mountRepository(runner, restic, mnt));
        for (const i of images.filter((x) => x.complete)) await linkImage(mnt, path.join(imagesDir, i.snapshot), i);
      }
    }
    const pick = (name: string): RepositoryImage => chooseImage(images, name, ref.uri);
    const describeImage = (name: string) => (mode === 'read' ? `${ref.uri}#${pick(name).snapshot}` : `${ref.uri} (a new snapshot)`);
    return {
      describe: ref.uri,
      fsType: 'restic',
      root: restic.privateDir,
      rawStreams: true,
      imagePath: (name) => (mode === 'read' ? path.join(imagesDir, pick(name).snapshot) : describeImage(name)),
      describeImage,
      hasImage: async () => false,
      freeBytes: async () => (ref.localPath ? (await check(ref.localPath)).available : Number.MAX_SAFE_INTEGER),
      livesOn: async (diskName) => (ref.localPath ? (await diskHolding(ref.localPath)) === diskName : false),
      lockKey: async (name) => `image:${ref.uri}#${name}`,
      writeRootFile: async () => undefined,
      startImage: (name, about) => {
        if (mode !== 'write') throw new Error(`the repository ${ref.uri} is open for reading only`);
        return repositoryWriter(restic, name, about);
      },
      checkStore: async ({ readData }) => {
        // --no-lock: this job's own mount holds a shared lock; no prune can run beside it, so the check is sound.
        const [file, ...args] = restic.argv(['--no-lock', 'check', ...(readData ? ['--read-data'] : [])]);
        try {
          const r = await runner.run(file!, args, { env: restic.env });
          return { ok: true, output: `${r.stdout}${r.stderr}` };
        } catch (e) {
          const why = restic.explain(e);
          // A wrong password, a lock or a lost server is no verdict on the data: those are the job's own failure.
          if (why instanceof LifeboatError && why.kind !== 'invalid-image' && why.kind !== 'command') throw why;
          return { ok: false, output: e instanceof CommandError ? e.stderrTail : String(e) };
        }
      },
      reader: {
        listImages: async () => images.filter((i) => i.complete).map((i) => i.snapshot),
        listPartialImages: async () => [],
        openFile: async (image, file) => (await import('node:fs')).createReadStream(path.join(imagesDir, pick(image).snapshot, file)),
        describeImages: async (): Promise<ListedImage[]> =>
          (images.length ? images : await listRepositoryImages(restic))
            .filter((i) => i.complete)
            .map((i) => ({ name: i.snapshot, image: `${ref.uri}#${i.snapshot}`, time: i.time, disk: i.disk, identity: i.identity, sizeBytes: i.sizeBytes ?? 0, addedBytes: i.addedBytes, complete: true })),
      },
      // restic's mount answers a read of data that fails its check (a damaged pack) with EIO.
      explainFailure: async (e) =>
        (e as { code?: string })?.code === 'EIO'
          ? new InvalidImageError(`the restic repository ${ref.uri} is damaged: data of this image cannot be read back (restic's check of a pack failed)`, { hint: `nothing was written; lifeboat verify ${ref.uri} --read-data names the damaged packs; restore another snapshot or from another copy` })
          : restic.explain(e),
      release,
    };
  } catch (e) {
    await release();
    throw e;
  }
}

// The files job: what an image keeps of its systems' configuration (lifeboat-config/), and one or more of those files
// handed out without a restore. A file comes out only when its SHA-256 is the manifest's; a file under etc/ that is
// not kept as a copy of its own comes from the kept archive of /etc. Nothing is written until every asked file is
// found and nothing of that name exists at the destination; then each is written under a partial name and renamed.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidImageError, NotFoundError, RefusedError, UsageError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { withImageDir } from '../crypt/image-dir.js';
import type { PassphraseSource } from '../crypt/passphrase.js';
import { configFolder, configKey, type KeptConfig } from '../config/kept.js';
import { etcArchive } from '../config/linux.js';
import { openImage } from '../image/open.js';
import type { FileDigest } from '../image/manifest.js';
import { usingStore, type StoreArg } from './store-use.js';

/** One kept file as the listing shows it: its path for `lifeboat files` (source/rel) and its size and digest. */
export interface KeptFile {
  path: string;
  source: string;
  kind: KeptConfig['kind'];
  bytes: number;
  sha256: string;
}

export interface KeptListing {
  image: string;
  systems: Array<KeptConfig & { key: string }>;
  files: KeptFile[];
}

/** What an asked path names: a kept file, or a member of a source's /etc archive. */
type Found = { path: string; file: string; digest: FileDigest } | { path: string; archive: string; digest: FileDigest; member: string };

/** The kept files of a manifest's config section, with their digests. */
export function keptFiles(config: KeptConfig[], files: Record<string, FileDigest>): KeptFile[] {
  return config.flatMap((c) =>
    c.files.map((f) => {
      const d = files[`${c.folder}/${f}`];
      return { path: `${configKey(c.source)}/${f}`, source: c.source, kind: c.kind, bytes: d?.bytes ?? 0, sha256: d?.sha256 ?? '' };
    }),
  );
}

/** An asked path (sda2/etc/fstab; a leading lifeboat-config/ or / is allowed) as what the image has for it. */
export function findKept(config: KeptConfig[], files: Record<string, FileDigest>, asked: string): Found | undefined {
  const clean = asked.replace(/^\/+/, '').replace(new RegExp(`^${configFolder}/`), '').replace(/\/+$/, '');
  const [key, ...rest] = clean.split('/');
  const rel = path.posix.normalize(rest.join('/'));
  if (!key || !rel || rel === '.' || rel.startsWith('..')) return undefined;
  const c = config.find((x) => configKey(x.source) === key || x.source === key);
  if (!c) return undefined;
  const name = `${configKey(c.source)}/${rel}`;
  if (c.files.includes(rel)) {
    const digest = files[`${c.folder}/${rel}`];
    return digest ? { path: name, file: `${c.folder}/${rel}`, digest } : undefined;
  }
  if ((rel === 'etc' || rel.startsWith('etc/')) && c.files.includes(etcArchive)) {
    const digest = files[`${c.folder}/${etcArchive}`];
    return digest ? { path: name, archive: `${c.folder}/${etcArchive}`, digest, member: rel } : undefined;
  }
  return undefined;
}

/** Copies from to to, hashing as it goes; a digest that is not the manifest's is a damaged file (to is removed). */
async function copyChecked(from: string, to: string, digest: FileDigest, what: string): Promise<void> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(from), tap, createWriteStream(to, { flags: 'wx', mode: 0o600 }));
  if (bytes !== digest.bytes || hash.digest('hex') !== digest.sha256) {
    await rm(to, { force: true });
    throw new InvalidImageError(`${what} is damaged in the image: its SHA-256 is not the manifest's`, { hint: 'take it from another image; lifeboat verify IMAGE checks the whole image', file: what });
  }
}

async function exists(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => undefined)) !== undefined;
}

/** Lists what the image keeps (no paths), or writes each asked path under outDir/<path>. */
export function filesJob(runner: Runner, req: { store: StoreArg; image: string; paths: string[]; outDir: string; passphrase?: PassphraseSource | undefined }): Promise<{ listing: KeptListing; written: string[] }> {
  return usingStore(runner, req.store, 'read', (store) =>
    withImageDir(runner, store, req.image, req.passphrase, async (d) => {
      const image = await openImage(d.dir);
      const what = store.describeImage(req.image);
      if (!image.manifest) throw new NotFoundError(`${what} is a Clonezilla image: it keeps no configuration of its own`, 'restore it, or mount its partition images, to read its files');
      const config = image.manifest.config ?? [];
      const listing: KeptListing = { image: what, systems: config.map((c) => ({ ...c, key: configKey(c.source) })), files: keptFiles(config, image.manifest.files) };
      if (req.paths.length === 0) return { listing, written: [] };
      if (config.length === 0) throw new NotFoundError(`${what} keeps no configuration (made before Lifeboat kept it, or its disk holds no system)`);
      // Everything asked is found, and nothing at the destination is in the way, before the first byte is written.
      const found: Found[] = [];
      for (const p of req.paths) {
        const f = findKept(config, image.manifest.files, p);
        if (!f) throw new NotFoundError(`${p}: not kept in ${what}`, `lifeboat files ${req.image} lists what it keeps (paths as SOURCE/PATH, e.g. ${listing.files[0]?.path ?? 'sda2/etc/fstab'})`);
        found.push(f);
      }
      const names = new Set<string>();
      for (const f of found) {
        if (names.has(f.path)) throw new UsageError(`${f.path} is asked twice`);
        names.add(f.path);
        const to = path.join(req.outDir, f.path);
        if (await exists(to)) throw new RefusedError(`${to} already exists: nothing was written`, 'remove it, or give another folder with --out DIR');
      }
      const partials: Array<{ from: string; to: string }> = [];
      await mkdir(req.outDir, { recursive: true });
      const scratch = await mkdtemp(path.join(req.outDir, '.lifeboat-files-'));
      try {
        for (const [i, f] of found.entries()) {
          const staged = path.join(scratch, String(i));
          if ('file' in f) {
            await copyChecked(path.join(d.dir, f.file), staged, f.digest, f.path);
          } else {
            // The archive is checked whole first; then tar takes the one member out of the checked copy.
            const archive = path.join(scratch, `${i}.tar`);
            await copyChecked(path.join(d.dir, f.archive), archive, f.digest, f.archive.slice(configFolder.length + 1));
            const x = path.join(scratch, `${i}.x`);
            await mkdir(x);
            const r = await runner.run('tar', ['--extract', '--file', archive, '--numeric-owner', '--same-permissions', '-C', x, f.member], { okExitCodes: [2] });
            if (r.exitCode === 2 || !(await exists(path.join(x, f.member)))) throw new NotFoundError(`${f.path}: not in the kept /etc of ${what}`, `tar -tf ${f.archive} lists it; lifeboat files ${req.image} lists what is kept`);
            await rename(path.join(x, f.member), staged);
          }
          partials.push({ from: staged, to: path.join(req.outDir, f.path) });
        }
        const written: string[] = [];
        for (const p of partials) {
          await mkdir(path.dirname(p.to), { recursive: true });
          await rename(p.from, p.to);
          written.push(p.to);
        }
        return { listing, written };
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }),
  );
}

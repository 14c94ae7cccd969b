// How one Lifeboat backup lives in a restic repository, and reading that back (pure): a set of snapshots that share a
// tag lifeboat-set=ID and the disk's identity as their host, one per partition stream (restic backup --stdin) and,
// written last, one of the image's small files with lifeboat.json (its manifest). A set without its manifest
// snapshot is a backup that did not finish: never listed as an image, removed by the next forget.

export const tags = {
  all: 'lifeboat',
  part: 'lifeboat-part',
  manifest: 'lifeboat-manifest',
  set: (id: string) => `lifeboat-set=${id}`,
  name: (name: string) => `lifeboat-name=${name}`,
  disk: (name: string) => `lifeboat-disk=${name}`,
  bytes: (n: number) => `lifeboat-bytes=${n}`,
  added: (n: number) => `lifeboat-added=${n}`,
};

/** The folder name of the small files inside the manifest snapshot (the mount shows ids/<id>/image/…). */
export const imageFolder = 'image';

/** One snapshot as `restic snapshots --json` lists it (the fields Lifeboat reads). */
export interface ResticSnapshot {
  id: string;
  short_id: string;
  time: string;
  hostname: string;
  paths: string[];
  tags?: string[] | null;
}

/** A Lifeboat backup in the repository. */
export interface RepositoryImage {
  /** The set's id (the tag lifeboat-set=…). */
  set: string;
  /** The manifest snapshot's short id: what restore REPO#SNAPSHOT names. */
  snapshot: string;
  /** Every snapshot of the set (full ids). */
  members: string[];
  time: string;
  /** The disk's identity (the snapshots' host). */
  identity: string;
  /** The source disk's kernel name when saved. */
  disk: string | undefined;
  name: string | undefined;
  /** Bytes of the image (every stream and file, uncompressed). */
  sizeBytes: number | undefined;
  /** What this backup added to the repository (restic's data_added, summed over its snapshots). */
  addedBytes: number | undefined;
  /** The partition streams: file name -> snapshot short id. */
  streams: Map<string, string>;
  complete: boolean;
}

function tagValue(list: string[], key: string): string | undefined {
  const p = `${key}=`;
  return list.find((t) => t.startsWith(p))?.slice(p.length);
}

function numberTag(list: string[], key: string): number | undefined {
  const v = tagValue(list, key);
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** The file a stream snapshot holds: its one path, /<file>. */
function streamFile(s: ResticSnapshot): string {
  return (s.paths[0] ?? '').replace(/^\/+/, '');
}

/** Groups Lifeboat's snapshots into backups, newest first; incomplete sets (no manifest snapshot) come with complete: false. */
export function groupSnapshots(list: ResticSnapshot[]): RepositoryImage[] {
  const sets = new Map<string, ResticSnapshot[]>();
  for (const s of list) {
    const t = s.tags ?? [];
    if (!t.includes(tags.all)) continue;
    const id = tagValue(t, 'lifeboat-set');
    if (id === undefined) continue;
    sets.set(id, [...(sets.get(id) ?? []), s]);
  }
  const out: RepositoryImage[] = [];
  for (const [set, members] of sets) {
    const manifest = members.find((m) => (m.tags ?? []).includes(tags.manifest));
    const t = manifest?.tags ?? [];
    const first = manifest ?? members[0]!;
    out.push({
      set,
      snapshot: first.short_id,
      members: members.map((m) => m.id),
      time: first.time,
      identity: first.hostname,
      disk: tagValue(t, 'lifeboat-disk'),
      name: tagValue(t, 'lifeboat-name'),
      sizeBytes: numberTag(t, 'lifeboat-bytes'),
      addedBytes: numberTag(t, 'lifeboat-added'),
      streams: new Map(members.filter((m) => (m.tags ?? []).includes(tags.part)).map((m) => [streamFile(m), m.short_id])),
      complete: manifest !== undefined,
    });
  }
  return out.sort((a, b) => b.time.localeCompare(a.time) || b.snapshot.localeCompare(a.snapshot));
}

/** The image that `#name` picks: a snapshot id (or its prefix) of a manifest snapshot, or latest (of the one disk). */
export function pickImage(images: RepositoryImage[], name: string): RepositoryImage | { error: 'none' | 'ambiguous' | 'several-disks'; disks?: string[] } {
  const complete = images.filter((i) => i.complete);
  if (name === 'latest') {
    const disks = [...new Set(complete.map((i) => i.identity))];
    if (disks.length > 1) return { error: 'several-disks', disks };
    return complete[0] ?? { error: 'none' };
  }
  const hits = complete.filter((i) => i.snapshot.startsWith(name.slice(0, 8)) && (name.length <= 8 || i.members.some((m) => m.startsWith(name))));
  if (hits.length > 1) return { error: 'ambiguous' };
  return hits[0] ?? { error: 'none' };
}

/** A disk's identity, the same on every backup of it wherever it is attached: WWN, model+serial, a stable id, its backing file, its name. */
export function diskIdentity(d: { name: string; ids?: string[] | undefined; model?: string | undefined; serial?: string | undefined; wwn?: string | undefined; backingFile?: string | undefined }): string {
  const clean = (s: string) => s.replace(/[,\s]+/g, '_');
  if (d.wwn) return clean(`wwn:${d.wwn}`);
  if (d.serial) return clean(`serial:${d.model ? `${d.model}_` : ''}${d.serial}`);
  const id = d.ids?.find((i) => !/\/(wwn-|nvme-eui|by-path)/.test(i)) ?? d.ids?.[0];
  if (id) return clean(`id:${id.replace(/^\/dev\/disk\/by-id\//, '')}`);
  if (d.backingFile) return clean(`file:${d.backingFile}`);
  return clean(`name:${d.name}`);
}

// The manifest of an exported image (pure): the repository backup's manifest, with each partition's uncompressed
// stream replaced by the files it was compressed into, and the compression the folder image has.
import type { Codec } from '../codec/codecs.js';
import { names, parsePartImageName } from '../image/layout.js';
import type { FileDigest, Manifest, ManifestVolume } from '../image/manifest.js';

/** Every saved partition and LV with image files, in the order the backup wrote them. */
export function volumesOf(m: Manifest): Array<{ name: string; entry: ManifestVolume }> {
  const lvs = (m.lvm ?? []).flatMap((vg) => vg.lvs.map((lv) => ({ name: `${vg.name}/${lv.name}`, entry: lv as ManifestVolume })));
  return [...m.partitions.map((p) => ({ name: p.name, entry: p as ManifestVolume })), ...lvs].filter((v) => (v.entry.files ?? []).length > 0);
}

/** The file name a stream gets in a folder image of this codec: sda2.ext4-ptcl-img.uncomp -> sda2.ext4-ptcl-img.zst. */
export function exportedBase(stream: string, codec: Codec): string {
  const n = parsePartImageName(stream);
  if (!n || n.piece !== undefined) throw new Error(`not a partition stream's name: ${stream}`);
  return names.partImage(n.part, n.fsName, codec.suffix);
}

export interface ExportedVolume {
  /** The stream's name in the repository's manifest. */
  stream: string;
  /** The files it became, with their digests (taken as they were written). */
  digests: Map<string, FileDigest>;
}

/**
 * The exported image's manifest: a copy of the backup's, with the streams' entries in `files` and in each volume
 * replaced by the written files, the compression set, and the export's time added; the state given (in-progress
 * until every piece is written and hashed).
 */
export function exportedManifest(source: Manifest, o: { codec: Codec; level: number | undefined; splitBytes: number | undefined; volumes: ExportedVolume[]; state: Manifest['state']; seconds?: number }): Manifest {
  const m = structuredClone(source);
  m.state = o.state;
  m.compression = { codec: o.codec.name, ...(o.level !== undefined ? { level: o.level } : {}), ...(o.splitBytes ? { splitBytes: o.splitBytes } : {}) };
  const byStream = new Map(o.volumes.map((v) => [v.stream, v]));
  for (const { entry } of volumesOf(m)) {
    const files: string[] = [];
    let imageBytes = 0;
    for (const stream of entry.files!) {
      delete m.files[stream];
      const done = byStream.get(stream);
      if (!done) continue;
      for (const [file, digest] of done.digests) {
        m.files[file] = digest;
        files.push(file);
        imageBytes += digest.bytes;
      }
    }
    entry.files = files.sort();
    entry.imageBytes = imageBytes;
  }
  if (o.seconds !== undefined) m.timings = { ...m.timings, exportSeconds: o.seconds };
  return m;
}

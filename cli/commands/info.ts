// lifeboat info IMAGE_DIR: what an image holds, in words or JSON.
import type { CommandModule } from 'yargs';
import type { Image } from '../../imager/image/open.js';
import type { Manifest } from '../../imager/image/manifest.js';
import type { ReadMethod } from '../../imager/running/options.js';
import { storeOfImagePath } from '../../imager/jobs/image-path.js';
import { infoJob } from '../../imager/jobs/verify.js';
import { bytes } from '../../core/format.js';
import { printable } from '../../core/printable.js';
import { unreadableLines } from '../../imager/rescue/partition.js';
import { makeContext } from '../context.js';
import { storeAccessFor, withStoreAccessOptions } from '../store-access.js';
import { existingPassphrase, withPassphraseOptions } from '../passphrase.js';

export function imageSummary(image: Image & { encrypted?: boolean }): Record<string, unknown> {
  const m = image.manifest;
  const read = readOf(m);
  return {
    image: image.dir,
    origin: image.origin,
    encrypted: image.encrypted === true,
    state: m?.state ?? 'unknown (Clonezilla image: no manifest)',
    source: m?.source ?? { name: image.diskName },
    createdAt: m?.createdAt,
    table: { type: image.table.type, id: image.table.id, sectorSize: image.table.sectorSize, partitions: image.table.partitions.length },
    requiredBytes: image.requiredBytes,
    compression: m?.compression ?? { codec: image.codec.name },
    bootRecords: { mbr: image.files.mbr !== undefined, hiddenDataAfterMbr: image.files.hiddenDataAfterMbr !== undefined, bootPartitions: image.bootPartitions },
    partitions: image.partitions.map((p) => ({ number: p.number, name: p.name, action: p.action, fs: p.fsType, label: p.fsLabel, uuid: p.fsUuid, imageBytes: p.imageBytes, files: p.files.length, ...(read(p.name) ? { read: read(p.name) } : {}) })),
    lvm: image.lvm.map((vg) => ({ name: vg.name, pvs: vg.pvs, lvs: vg.lvs.map((l) => ({ name: l.name, action: l.action, fs: l.fsType, label: l.fsLabel, uuid: l.fsUuid, imageBytes: l.imageBytes, files: l.files.length, ...(read(l.name, vg.name) ? { read: read(l.name, vg.name) } : {}) })) })),
    imageBytes: image.partitions.reduce((n, p) => n + p.imageBytes, 0) + image.lvm.flatMap((vg) => vg.lvs).reduce((n, l) => n + l.imageBytes, 0),
    tools: m?.tools,
    ...(m?.partitions.some((p) => p.unreadable) ? { unreadable: m.partitions.flatMap((p) => (p.unreadable ? [{ partition: p.name, ...p.unreadable }] : [])) } : {}),
  };
}

/** How a running system's partition or LV was read, from the manifest (absent: not mounted, read as it was). */
function readOf(m: Manifest | undefined): (name: string, vg?: string) => ReadMethod | undefined {
  return (name, vg) => (vg === undefined ? m?.partitions.find((p) => p.name === name)?.read : m?.lvm?.find((v) => v.name === vg)?.lvs.find((l) => l.name === name)?.read);
}

const readWords: Record<ReadMethod, string> = { direct: '', snapshot: 'read from an LVM snapshot', frozen: 'read frozen (fsfreeze)', offline: 'read offline' };

export const infoCommand: CommandModule<object, { image: string; json: boolean; sshKey: string | undefined; knownHosts: string | undefined; passphraseFile: string | undefined; passwordFile?: string | undefined }> = {
  command: 'info <image>',
  describe: 'Show what an image holds',
  builder: (y) => withPassphraseOptions(withStoreAccessOptions(y.positional('image', { type: 'string', demandOption: true, describe: 'Image directory, or ssh://user@host[:port]/path/name' }).option('json', { type: 'boolean', default: false }))) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const image = await infoJob(ctx.runner, { ...storeOfImagePath(argv.image, await storeAccessFor(argv, [argv.image], 'read')), passphrase: existingPassphrase(argv.passphraseFile, ctx.signal) });
    const s = imageSummary(image);
    const m = image.manifest;
    const read = readOf(m);
    const how = (r: ReadMethod | undefined) => (r && readWords[r] ? `  ${readWords[r]}` : '');
    const lines = [
      `${image.dir}: ${image.origin === 'lifeboat' ? 'Lifeboat' : 'Clonezilla'} image of ${m ? `${m.source.device} (${bytes(m.source.sizeBytes)}${m.source.model ? `, ${m.source.model}` : ''})` : image.diskName}`,
      m ? `  saved ${m.createdAt} with Lifeboat ${m.lifeboatVersion}, state ${m.state === 'complete-with-unreadable-sectors' ? 'complete, with unreadable sectors' : m.state}` : '  no manifest: checked with partclone.chkimg only',
      ...(image.encrypted ? ["  encrypted with gocryptfs (Clonezilla's layout)"] : []),
      ...(m ? unreadableLines(m.partitions).map((l) => `  unreadable: ${l}`) : []),
      `  ${image.table.type} partition table, ${image.table.partitions.length} partitions; needs a disk of at least ${bytes(image.requiredBytes)}`,
      `  compression ${image.codec.name}, ${bytes(s['imageBytes'] as number)} of partition images`,
      ...image.partitions.map((p) => `  ${String(p.number).padStart(2)} ${p.name.padEnd(12)} ${p.action.padEnd(9)} ${(p.fsType ?? '-').padEnd(8)} ${(p.fsLabel ?? '').padEnd(12)} ${p.imageBytes ? bytes(p.imageBytes) : ''}${how(read(p.name))}`),
      ...image.lvm.flatMap((vg) => [
        `  VG ${vg.name} on ${vg.pvs.map((p) => `partition ${p.number} (PV ${p.uuid})`).join(', ')}`,
        ...vg.lvs.map((l) => `     LV ${l.name.padEnd(10)} ${l.action.padEnd(9)} ${(l.fsType ?? '-').padEnd(8)} ${(l.fsLabel ?? '').padEnd(12)} ${l.imageBytes ? bytes(l.imageBytes) : ''}${how(read(l.name, vg.name))}`),
      ]),
    ];
    // The manifest's and Clonezilla's fields are file content: a model or label is shown as text, never as control bytes.
    ctx.out.result(s, lines.map((l) => printable(l, { max: 1000 })));
  },
};

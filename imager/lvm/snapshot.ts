// LVM snapshots of mounted LVs (backup --snapshot, a schedule's snapshot mode): a mounted filesystem on LVM is read
// from a snapshot (lvcreate -s, which suspends the LV and so freezes its filesystem for that instant) instead of the
// LV itself. Each snapshot takes its share of the VG's free extents, carries the tag lifeboat-snapshot, and is
// removed whatever happens: once its LV has been read, at the end of a failed job, or (should the machine have died
// meanwhile) by the next backup of the disk, which removes every snapshot with the tag before it plans.
//
// A snapshot that fills up while it is read is invalid (LVM drops it): the read is refused as an image, never
// published. The planning here is pure; the commands go through the Runner.
import { RefusedError } from '../../core/errors.js';
import type { Runner } from '../../core/runner/run.js';
import { lvReportFields, parseLvReport } from '../parse/lvm-report.js';
import type { LvFacts, VgFacts } from './probe.js';

const lvmEnv = { LVM_SUPPRESS_FD_WARNINGS: '1' };

/** The tag of every snapshot Lifeboat makes: how a leftover of a dead run is known. */
export const snapshotTag = 'lifeboat-snapshot';

/** A snapshot's LV name: the origin's with this suffix (LV names allow letters, digits, + _ . -). */
export const snapshotSuffix = '_lifeboat';

const MiB = 1024 * 1024;

/** The smallest snapshot a plan accepts: 32 MiB, or a twentieth of the LV when that is less. */
export function minimumSnapshotBytes(lvBytes: number): number {
  return Math.min(32 * MiB, Math.ceil(lvBytes / 20));
}

/** Snapshots of earlier, dead runs in a VG (tagged by Lifeboat): removed before a backup plans. */
export function leftoverSnapshots(vg: VgFacts): LvFacts[] {
  return vg.lvs.filter((l) => l.role === 'snapshot' && l.tags.includes(snapshotTag));
}

export type SnapshotSizing = { ok: true; sizes: Map<string, number> } | { ok: false; message: string; hint: string };

/**
 * Shares the VG's free extents among the mounted LVs that are read from snapshots (equal shares, whole extents,
 * never more than the LV itself: a snapshot as large as its origin cannot overflow).
 */
export function sizeSnapshots(vg: VgFacts, lvs: readonly LvFacts[]): SnapshotSizing {
  const sizes = new Map<string, number>();
  if (lvs.length === 0) return { ok: true, sizes };
  const extent = vg.extentBytes > 0 ? vg.extentBytes : 4 * MiB;
  const share = Math.floor(vg.freeBytes / lvs.length / extent) * extent;
  for (const lv of lvs) {
    const size = Math.min(share, Math.ceil(lv.sizeBytes / extent) * extent);
    const need = minimumSnapshotBytes(lv.sizeBytes);
    if (size < need)
      return {
        ok: false,
        message: `VG ${vg.name} has ${vg.freeBytes} bytes free: an LVM snapshot of ${vg.name}/${lv.name} (mounted on ${lv.mountpoints.join(', ')}) needs at least ${need} bytes${lvs.length > 1 ? ` of them, beside ${lvs.length - 1} other snapshot${lvs.length > 2 ? 's' : ''}` : ''}, to hold what changes while it is read`,
        hint: 'free extents in the VG (lvreduce, or vgextend with another PV), unmount it, or image the disk from the Lifeboat stick',
      };
    sizes.set(lv.name, size);
  }
  return { ok: true, sizes };
}

/** A snapshot being read: the node partclone reads, whether it overflowed, and its removal (idempotent, never throws). */
export interface LvSnapshot {
  vg: string;
  lv: string;
  name: string;
  device: string;
  /** Whether the snapshot filled up (invalid): what was read of it is not the LV at the snapshot point. */
  overflowed(): Promise<boolean>;
  remove(): Promise<void>;
}

async function snapshotReport(runner: Runner, vg: string, name: string) {
  const r = await runner.run('lvs', ['--reportformat', 'json', '--units', 'b', '--nosuffix', '-a', '-o', lvReportFields.join(','), `${vg}/${name}`], { env: lvmEnv });
  return parseLvReport(r.stdout)[0];
}

export async function createSnapshot(runner: Runner, vg: string, lv: string, sizeBytes: number): Promise<LvSnapshot> {
  const name = `${lv}${snapshotSuffix}`;
  await runner.run('lvcreate', ['--snapshot', '--size', `${sizeBytes}b`, '--name', name, '--addtag', snapshotTag, '--yes', `${vg}/${lv}`], {
    env: lvmEnv,
    hint: `LVM could not make a snapshot of ${vg}/${lv}; free extents in ${vg}, or image the disk from the Lifeboat stick`,
  });
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    await runner.run('lvremove', ['--yes', `${vg}/${name}`], { env: lvmEnv }).catch(() => undefined);
  };
  try {
    const facts = await snapshotReport(runner, vg, name);
    if (!facts?.dmPath) throw new RefusedError(`LVM made the snapshot ${vg}/${name} but shows no node for it`, 'check lvs; it was removed');
    return {
      vg,
      lv,
      name,
      device: facts.dmPath,
      overflowed: async () => {
        const now = await snapshotReport(runner, vg, name);
        // lv_attr's fifth character: I for an invalid (overflowed) snapshot; a full one is invalid too.
        return now === undefined || now.attr[4] === 'I' || (now.snapPercent ?? 0) >= 100;
      },
      remove,
    };
  } catch (e) {
    await remove();
    throw e;
  }
}

/** Removes the leftovers of dead runs (tagged snapshots); returns their names. */
export async function removeLeftoverSnapshots(runner: Runner, vgs: readonly VgFacts[]): Promise<string[]> {
  const removed: string[] = [];
  for (const vg of vgs)
    for (const lv of leftoverSnapshots(vg)) {
      await runner.run('lvremove', ['--yes', `${vg.name}/${lv.name}`], { env: lvmEnv, hint: `LVM could not remove the leftover snapshot ${vg.name}/${lv.name}; remove it with lvremove` });
      removed.push(`${vg.name}/${lv.name}`);
    }
  return removed;
}

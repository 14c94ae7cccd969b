// Typed refusals and warnings of a plan ({code, message, hint}), and the one function that turns refusals into the thrown error.
import { NoSpaceError, RefusedError } from '../../core/errors.js';

/** Why a plan says no; faces select by code, never by the message's words. */
export type RefusalCode =
  // backup
  | 'no-table' // the source has no partition table
  | 'image-exists' // the image directory exists already
  | 'store-on-source' // the store is on the disk being imaged
  | 'mounted' // a partition of the source is mounted
  | 'swap-active' // a partition of the source is active swap
  | 'no-space' // the store has less free space than the source uses
  // restore
  | 'in-use' // the target is mounted or active swap
  | 'holds-image' // the target holds the image itself
  | 'live-medium' // the target is the medium the live system booted from
  | 'read-only' // the target is read-only
  | 'sector-size' // the target's sectors differ from the image's
  | 'too-small' // the target is smaller than the image needs
  | 'too-small-for-data' // --shrink: the target cannot hold the used data plus the margins (needed, available)
  | 'no-staging-space' // --shrink: no staging place has room for the largest staging copy
  | 'layout-size' // --shrink --layout: a size given cannot be used (below the used data, above the old size, a fixed partition)
  | 'layout-not-smaller' // --layout on a target that holds the image's layout as it is
  | 'needs-shrink' // clone: the target is smaller than the source's layout, but its used data would fit (--shrink does it)
  | 'table-type' // boot-only: the target's table type differs from the image's
  | 'boot-partition-mismatch' // boot-only: a boot partition is not where the image has it
  | 'boot-area-overlap' // boot-only: the target's first partition starts inside the image's boot area
  | 'vg-present' // the image's VG name (or a PV UUID of it) is already on another disk of this machine
  // clone
  | 'same-disk'; // the target disk is the source disk

/** What a plan notes without refusing. */
export type WarningCode =
  | 'fs-cannot-grow' // --grow extends the partition, but not its filesystem
  | 'gpt-backup-moves' // a larger GPT target: the backup header moves to its end
  | 'partition-nodes-missing' // a dry run: the kernel lacks partition nodes that a real job would add
  | 'unreadable-sectors' // the image was made with --rescue past unreadable sectors: restore asks first (--yes aside)
  | 'database-split' // --db: the database's data, WAL or a tablespace are on different filesystems (read one after another)
  | 'database-elsewhere'; // --db: the database's files are on no partition of the disk being imaged

export interface Refusal {
  code: RefusalCode;
  message: string;
  hint?: string;
}

export interface Warning {
  code: WarningCode;
  message: string;
  /** Words for the CLI's user (e.g. the option that would change it); the UI may leave them out. */
  hint?: string;
}

export function refusal(code: RefusalCode, message: string, hint?: string): Refusal {
  return hint === undefined ? { code, message } : { code, message, hint };
}

export function warning(code: WarningCode, message: string, hint?: string): Warning {
  return hint === undefined ? { code, message } : { code, message, hint };
}

/** A warning in the CLI's words: the message and its hint in one line. */
export function warningText(w: Warning): string {
  return w.hint === undefined ? w.message : `${w.message}; ${w.hint}`;
}

/** The exit-code kind of each refusal: no space is its own (exit 6), every other is a refusal (exit 4). */
const errorFor: Partial<Record<RefusalCode, (message: string, hint: string | undefined) => Error>> = {
  'no-space': (m, h) => new NoSpaceError(m, h),
};

/**
 * Throws the typed error for a plan's refusals, if it has any: the first one's message, and as hint its own hint
 * and the other refusals' messages.
 */
export function throwIfRefused(refusals: readonly Refusal[]): void {
  const [first, ...rest] = refusals;
  if (!first) return;
  const hint = [first.hint, ...rest.map((r) => r.message)].filter((s) => s !== undefined).join('; ') || undefined;
  throw (errorFor[first.code] ?? ((m: string, h: string | undefined) => new RefusedError(m, h)))(first.message, hint);
}

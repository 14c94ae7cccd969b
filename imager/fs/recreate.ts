// Recreating what an image keeps no data of, only identity: swap gets a fresh signature with its old UUID and label.
import type { Runner } from '../../core/runner/run.js';

/** The identity to put back: Clonezilla's swappt-<part>.info records UUID and LABEL. */
export interface FsIdentity {
  uuid: string | undefined;
  label: string | undefined;
}

export type Recreator = (runner: Runner, device: string, id: FsIdentity | undefined) => Promise<void>;

export const recreateSwap: Recreator = async (runner, device, id) =>
  void (await runner.run('mkswap', [...(id?.uuid ? ['-U', id.uuid] : []), ...(id?.label ? ['-L', id.label] : []), device]));

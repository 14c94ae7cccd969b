// The ISO, guest-RAM and UI sections' reports: figures in words, and their targets.
import { type TargetResult, notMeasured } from './targets.js';

/** The UI rows: structure for issue 4's `lifeboat ui`, which this tree does not have yet. */
export function uiTargets(): TargetResult[] {
  return [notMeasured('ui', 'ui-peak-memory', 'peak memory of lifeboat ui during a backup', 'MiB', NaN, 'needs lifeboat ui (issue 4), not in this tree yet')];
}

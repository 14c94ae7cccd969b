// The one rule for which of a pipeline's failures to report: the cause, never the broken pipe that follows from it.
import { LifeboatError } from '../../core/errors.js';

export interface Failure {
  error: unknown;
  /** partclone's own verdict (a bad filesystem, a CRC error, a write error) explains more than its peers' pipes. */
  fromPartclone: boolean;
  /** Recorded after the pipeline was already stopping: a consequence (killed, aborted, EPIPE), not a cause. */
  afterStop: boolean;
}

const pipeLike = /EPIPE|SIGPIPE|premature close|AbortError|operation was aborted/i;

function isPipeLike(e: unknown): boolean {
  return (e as { name?: string })?.name === 'AbortError' || pipeLike.test(String((e as Error)?.message ?? e));
}

/** No space first (whoever saw it), then partclone's own error, then a failure that is no broken pipe, then the first. */
export function rankFailures(failures: Failure[]): unknown {
  const noSpace = failures.find((f) => f.error instanceof LifeboatError && f.error.kind === 'no-space');
  if (noSpace) return noSpace.error;
  const causes = failures.filter((f) => !f.afterStop);
  const partclone = causes.find((f) => f.fromPartclone);
  if (partclone) return partclone.error;
  const notPipe = causes.find((f) => !isPipeLike(f.error)) ?? failures.find((f) => !isPipeLike(f.error));
  return (notPipe ?? causes[0] ?? failures[0])?.error;
}

// Typed errors of the imager: each carries a hint in the user's words and a kind that the CLI maps to an exit code.

export type ErrorKind =
  | 'usage' // a bad argument: unknown compression, a partition where a disk is expected
  | 'not-found' // a disk or an image directory that does not exist
  | 'refused' // a safety check said no: mounted, too small, holds the image, live medium, not confirmed
  | 'invalid-image' // an image that is incomplete, corrupt or not an image at all
  | 'no-space' // the destination is full or would be
  | 'command' // an external tool failed
  | 'unreachable' // a network store could not be reached, refused the login, or was lost during the job
  | 'host-key' // a network store's host key is not pinned (unknown) or has changed
  | 'unreadable' // the source disk has sectors that cannot be read (the backup stopped; --rescue goes past them)
  | 'passphrase' // an encrypted image's passphrase is wrong, or none could be asked for
  | 'hook' // a --pre/--post hook (or a database recipe) failed or outlived its timeout
  | 'interrupted'; // a signal stopped the job

export class LifeboatError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  constructor(kind: ErrorKind, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LifeboatError';
    this.kind = kind;
    this.hint = options.hint;
  }
}

export class UsageError extends LifeboatError {
  constructor(message: string, hint?: string) {
    super('usage', message, { hint });
    this.name = 'UsageError';
  }
}

export class NotFoundError extends LifeboatError {
  constructor(message: string, hint?: string) {
    super('not-found', message, { hint });
    this.name = 'NotFoundError';
  }
}

export class RefusedError extends LifeboatError {
  constructor(message: string, hint?: string) {
    super('refused', message, { hint });
    this.name = 'RefusedError';
  }
}

export class InvalidImageError extends LifeboatError {
  readonly file: string | undefined;
  constructor(message: string, options: { hint?: string; file?: string; cause?: unknown } = {}) {
    super('invalid-image', message, options);
    this.name = 'InvalidImageError';
    this.file = options.file;
  }
}

export class NoSpaceError extends LifeboatError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('no-space', message, { hint, cause });
    this.name = 'NoSpaceError';
  }
}

/** A network store that cannot be reached, refuses the key, or is lost mid-job; names the store. */
export class StoreUnreachableError extends LifeboatError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('unreachable', message, { hint, cause });
    this.name = 'StoreUnreachableError';
  }
}

/** A server whose host key is not pinned, or differs from the pinned one: never trusted on first use. */
export class HostKeyError extends LifeboatError {
  constructor(message: string, hint?: string) {
    super('host-key', message, { hint });
    this.name = 'HostKeyError';
  }
}

/** A read error on the source: names the partition and its first unreadable range; no image was left. */
export class UnreadableSectorsError extends LifeboatError {
  readonly partition: string;
  constructor(partition: string, message: string, hint?: string) {
    super('unreadable', message, { hint });
    this.name = 'UnreadableSectorsError';
    this.partition = partition;
  }
}

/** An encrypted image whose passphrase is wrong, or missing where none can be asked for; nothing was written. */
export class PassphraseError extends LifeboatError {
  constructor(message: string, hint?: string) {
    super('passphrase', message, { hint });
    this.name = 'PassphraseError';
  }
}

/** A backup's --pre or --post command (or a database recipe) failed or outlived its timeout. */
export class HookError extends LifeboatError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('hook', message, { hint, cause });
    this.name = 'HookError';
  }
}

export class InterruptedError extends LifeboatError {
  constructor(message: string) {
    super('interrupted', message);
    this.name = 'InterruptedError';
  }
}

/** The result of a command that failed, in the same shape as a success plus the cause. */
export class CommandError extends LifeboatError {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stderrTail: string;
  readonly durationMs: number;
  constructor(details: {
    command: string;
    exitCode?: number | undefined;
    signal?: string | undefined;
    stderrTail: string;
    durationMs: number;
    hint?: string;
    cause?: unknown;
  }) {
    const how =
      details.signal !== undefined
        ? `was killed by ${details.signal}`
        : details.exitCode !== undefined
          ? `exited with code ${details.exitCode}`
          : 'could not be started';
    const tail = details.stderrTail.trim().split('\n').filter(Boolean).slice(-1)[0];
    super('command', `${details.command} ${how}${tail ? `: ${tail}` : ''}`, {
      hint: details.hint,
      cause: details.cause,
    });
    this.name = 'CommandError';
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = details.stderrTail;
    this.durationMs = details.durationMs;
  }
}

/** Exit codes of the `lifeboat` command, one per kind of failure (documented in the README). */
export const exitCodes: Record<ErrorKind | 'ok' | 'internal', number> = {
  ok: 0,
  command: 1,
  usage: 2,
  'not-found': 3,
  refused: 4,
  'invalid-image': 5,
  'no-space': 6,
  unreachable: 7,
  'host-key': 8,
  unreadable: 9,
  passphrase: 10,
  hook: 11,
  interrupted: 130,
  internal: 70,
};

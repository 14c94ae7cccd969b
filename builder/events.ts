// The typed events an ISO build emits: the CLI prints them (lines or JSON Lines). The builder never prints.

export type BuildEvent =
  | { type: 'build-start'; iso: string; stages: string[]; cache: string }
  | { type: 'stage-start'; stage: string; index: number; total: number }
  | { type: 'stage-done'; stage: string; index: number; total: number; seconds: number; note?: string }
  | { type: 'stage-skipped'; stage: string; index: number; total: number; reason: string }
  | { type: 'stage-failed'; stage: string; index: number; total: number; seconds: number; message: string }
  /** Something worth a line of its own while a stage runs: a cache miss and its reason, a check passed. */
  | { type: 'note'; stage: string; message: string }
  /** A line a tool printed (mmdebstrap's I: lines, compiler output); shown with --verbose. */
  | { type: 'output'; stage: string; line: string }
  | { type: 'build-done'; iso: string; bytes: number; sha256: string; seconds: number; stages: { stage: string; seconds: number; skipped: boolean }[] };

export type BuildEventSink = (e: BuildEvent) => void;

// Parses one line of partclone's terminal output into a typed event, or nothing.

export type PartcloneEvent =
  | { kind: 'info'; field: 'deviceSize' | 'usedSize' | 'freeSize'; blocks: number }
  | { kind: 'block-size'; bytes: number }
  | { kind: 'filesystem'; name: string }
  | { kind: 'bitmap'; percent: number }
  | { kind: 'progress'; percent: number; elapsedSeconds: number; remainingSeconds: number; bytesPerMinute: number | undefined }
  | { kind: 'blocks'; current: number; total: number; percent: number }
  | { kind: 'done'; totalSeconds: number }
  /** --rescue: a 512-byte sector (byte offset in the source) that could not be read; partclone fills it with BADSECTOR. */
  | { kind: 'unreadable'; offset: number }
  /** Without --rescue: partclone stopped at a read error (its bad-sectors banner; it names no sector). */
  | { kind: 'bad-sectors' }
  | { kind: 'error'; message: string };

const unitBytes: Record<string, number> = { byte: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15 };

function seconds(hms: string): number {
  const [h = 0, m = 0, s = 0] = hms.split(':').map(Number);
  return h * 3600 + m * 60 + s;
}

function rate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /([\d.]+)\s*(byte|KB|MB|GB|TB|PB)\/min/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (unitBytes[m[2]!] ?? 1);
}

/** Removes terminal control sequences (cursor up, erase) that partclone writes between redraws. */
export function stripControl(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').trim();
}

export function parsePartcloneLine(raw: string): PartcloneEvent | undefined {
  const line = stripControl(raw);
  if (line === '') return undefined;
  let m = /^Elapsed: (\d+:\d+:\d+), Remaining: (\d+:\d+:\d+), Completed:\s*([\d.]+)%(?:,\s*(?:Rate:\s*)?(.*))?$/.exec(line);
  if (m) {
    const percent = Number(m[3]);
    if (m[4] === undefined) return { kind: 'bitmap', percent };
    return {
      kind: 'progress',
      percent,
      elapsedSeconds: seconds(m[1]!),
      remainingSeconds: seconds(m[2]!),
      bytesPerMinute: rate(m[4]),
    };
  }
  m = /^current block:\s*(\d+), total block:\s*(\d+), Complete:\s*([\d.]+)%/.exec(line);
  if (m) return { kind: 'blocks', current: Number(m[1]), total: Number(m[2]), percent: Number(m[3]) };
  m = /^(Device size|Space in use|Free Space):\s*[\d.]+\s*\w+\s*=\s*(\d+) Blocks/.exec(line);
  if (m) {
    const field = m[1] === 'Device size' ? 'deviceSize' : m[1] === 'Space in use' ? 'usedSize' : 'freeSize';
    // The byte count partclone prints is rounded; blocks are exact and the block size follows.
    return { kind: 'info', field, blocks: Number(m[2]) };
  }
  m = /^Block size:\s*(\d+) Byte/.exec(line);
  if (m) return { kind: 'block-size', bytes: Number(m[1]) };
  m = /^File system:\s*(\S+)/.exec(line);
  if (m) return { kind: 'filesystem', name: m[1]! };
  // partclone.c rescue_sector(): "WARNING: Can't read sector at <byte offset>, lost data." (a redraw may precede it).
  m = /Can't read sector at (\d+), lost data/.exec(line);
  if (m) return { kind: 'unreadable', offset: Number(m[1]) };
  if (/WARNING: The disk has bad sectors/.test(line)) return { kind: 'bad-sectors' };
  m = /^Total Time: (\d+:\d+:\d+)/.exec(line);
  if (m) return { kind: 'done', totalSeconds: seconds(m[1]!) };
  if (/\berror\b|\bfail(ed|ure)?\b/i.test(line) && !/successfully/.test(line)) return { kind: 'error', message: line };
  return undefined;
}

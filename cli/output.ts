// Prints imager events: a progress bar and step lines for people, JSON Lines for scripts (--json).
import type { ImagerEvent } from '../imager/events.js';
import { bytes, duration } from '../core/format.js';

export interface Output {
  event(e: ImagerEvent): void;
  /** The final result: a JSON object with --json, lines of text otherwise. */
  result(json: unknown, lines: string[]): void;
  close(): void;
}

export function jsonOutput(stream: NodeJS.WritableStream = process.stdout): Output {
  return {
    event: (e) => stream.write(`${JSON.stringify(e)}\n`),
    result: (json) => stream.write(`${JSON.stringify(json)}\n`),
    close: () => undefined,
  };
}

export function humanOutput(out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Output {
  const tty = err.isTTY === true;
  let barShown = false;
  let lastPlain = -10;
  const clearBar = () => {
    if (barShown) err.write('\r\x1b[2K');
    barShown = false;
  };
  return {
    event(e) {
      if (e.type === 'progress') {
        const width = 30;
        const filled = Math.round((e.overallPercent / 100) * width);
        const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${e.overallPercent.toFixed(1).padStart(5)}%  ${e.partition} ${e.percent.toFixed(0)}%  ${e.bytesPerSecond ? `${bytes(e.bytesPerSecond)}/s` : ''}  ETA ${duration(e.etaSeconds)}`;
        if (tty) {
          err.write(`\r\x1b[2K${bar}`);
          barShown = true;
        } else if (e.overallPercent - lastPlain >= 10) {
          lastPlain = e.overallPercent;
          err.write(`${bar}\n`);
        }
        return;
      }
      clearBar();
      if (e.type === 'step') err.write(`${e.message}\n`);
      else if (e.type === 'warning') err.write(`warning: ${e.message}\n`);
      else if (e.type === 'partition-done') err.write(`  ${e.partition}: ${bytes(e.bytes)} in ${e.seconds.toFixed(1)} s\n`);
      else if (e.type === 'start') err.write(`${e.job} ${e.device} ${e.job === 'backup' || e.job === 'export' ? '→' : '←'} ${e.image}\n`);
    },
    result(_json, lines) {
      clearBar();
      for (const l of lines) out.write(`${l}\n`);
    },
    close: clearBar,
  };
}

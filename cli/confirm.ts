// Asks the person at the terminal to type the disk's name before anything is written to it.
import { createInterface } from 'node:readline/promises';
import { InterruptedError } from '../core/errors.js';

/** True when the answer typed equals the disk's name (sdb or /dev/sdb). False without a terminal. */
export async function confirmByTyping(device: string, lines: string[], signal?: AbortSignal): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    for (const l of lines) process.stderr.write(`${l}\n`);
    const name = device.replace(/^\/dev\//, '');
    try {
      const answer = (await rl.question(`Everything on ${device} will be overwritten. Type ${name} to go on: `, signal ? { signal } : {})).trim();
      return answer === name || answer === device;
    } catch (e) {
      if (signal?.aborted) throw new InterruptedError(`interrupted: nothing was written to ${device}`);
      throw e;
    }
  } finally {
    rl.close();
  }
}

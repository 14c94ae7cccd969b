// Parses a layout file (restore --shrink --layout FILE): the sizes a person chose for partitions of a smaller layout.
//
// One partition per line: its number and its size, e.g. `2 150GiB` or `3 20G`; `#` starts a comment. Sizes take
// the units K, M, G, T (or KiB, MiB, GiB, TiB; all powers of 1024) or none (bytes). Partitions not named are sized
// by the rule (shrink-plan.ts); a size is rounded up to whole MiB.
import { readFile } from 'node:fs/promises';
import { NotFoundError, UsageError } from '../../core/errors.js';

const units: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Partition number -> bytes. Throws a UsageError naming the file's line for anything else. */
export function parseLayoutFile(text: string, name = 'the layout file'): Map<number, number> {
  const sizes = new Map<number, number>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const m = /^(\d+)\s+(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(line);
    const where = `${name}, line ${i + 1}`;
    const hint = "write one partition per line, its number and size: '2 150GiB'";
    if (!m) throw new UsageError(`${where}: '${raw.trim()}' is not a partition number and a size`, hint);
    const number = Number(m[1]);
    if (number < 1) throw new UsageError(`${where}: partition numbers start at 1`, hint);
    if (sizes.has(number)) throw new UsageError(`${where}: partition ${number} is given twice`, hint);
    const bytes = Math.round(Number(m[2]) * units[m[3]!.toUpperCase()]!);
    if (bytes <= 0) throw new UsageError(`${where}: a size must be more than 0`, hint);
    sizes.set(number, bytes);
  });
  if (sizes.size === 0) throw new UsageError(`${name} names no partition`, "write one partition per line, its number and size: '2 150GiB'");
  return sizes;
}

/** Reads and parses a layout file; a file that cannot be read is one clear line. */
export async function readLayoutFile(file: string): Promise<Map<number, number>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`the layout file ${file} does not exist`, 'give the path of a file of partition sizes');
    throw new UsageError(`the layout file ${file} cannot be read (${code ?? String(e)})`, 'give the path of a readable file');
  }
  return parseLayoutFile(text, file);
}

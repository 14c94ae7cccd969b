// --rescue for a partition copied raw: GNU ddrescue reads it into a sparse staging file with a mapfile (bounded
// retries), and the mapfile says which areas could not be read; the staging file is then imaged as partclone.dd reads it.
import { readFile, rm } from 'node:fs/promises';
import type { Runner } from '../../core/runner/run.js';
import { parseDdrescueMap } from '../parse/ddrescue.js';
import type { ByteRange } from './ranges.js';

/** ddrescue's argv: direct reads (sector-sized areas), copy, trim and scrape passes, one retry pass, quiet. */
export function ddrescueArgv(device: string, staging: string, mapfile: string, sectorSize: number): string[] {
  return ['ddrescue', '-d', '-b', String(sectorSize), '-r1', '-q', device, staging, mapfile];
}

export const rawRescuePolicy =
  'raw copies: GNU ddrescue (direct reads; copy, trim and scrape each bad area sector by sector, then one retry pass) into a staging file beside the image, unreadable areas left as zeros';

export interface RawRescue {
  staging: string;
  unreadable: ByteRange[];
  /** Removes the staging file (the mapfile stays, as a file of the image). */
  remove(): Promise<void>;
}

/** Reads `device` with ddrescue into `staging`; its mapfile is `mapfile`. */
export async function rescueRawCopy(runner: Runner, device: string, staging: string, mapfile: string, sectorSize: number, signal?: AbortSignal): Promise<RawRescue> {
  const [file, ...args] = ddrescueArgv(device, staging, mapfile, sectorSize);
  try {
    await runner.run(file!, args, { ...(signal ? { signal } : {}), hint: 'ddrescue could not copy the partition' });
  } catch (e) {
    await rm(staging, { force: true });
    throw e;
  }
  const map = parseDdrescueMap(await readFile(mapfile, 'utf8'));
  return { staging, unreadable: map.unreadable, remove: () => rm(staging, { force: true }) };
}

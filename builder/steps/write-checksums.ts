// Stage: SHA256SUMS beside the ISO (sha256sum -c reads it), over everything the build wrote there.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Step } from '../driver.js';

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** sha256sum's format: hash, two spaces, file name. */
export function formatSums(sums: readonly { name: string; sha256: string }[]): string {
  return sums.map((s) => `${s.sha256}  ${s.name}\n`).join('');
}

export const writeChecksums: Step = {
  name: 'write checksums',
  async run(ctx) {
    const sums: { name: string; sha256: string }[] = [];
    for (const file of ctx.state.written) sums.push({ name: path.basename(file), sha256: await sha256Of(file) });
    await writeFile(path.join(ctx.paths.out, 'SHA256SUMS'), formatSums(sums));
    ctx.state.sha256 = Object.fromEntries(sums.map((s) => [s.name, s.sha256]));
    return `${sums.length} files`;
  },
};

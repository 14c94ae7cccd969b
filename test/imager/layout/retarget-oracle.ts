// The test oracle for the restore's sfdisk script: the text rewrite of a saved dump that Lifeboat used before the
// layout model generated the script (imager/layout/sfdisk-script.ts). Both must say the same table.
import { partitionNumber } from '../../../imager/parse/sfdisk.js';

/**
 * Rewrites an `sfdisk --dump` script for a target disk: device names become the target's, the GPT's last-lba is
 * dropped (so a larger disk gets its backup header at its own end), and with grow the last partition's size is
 * dropped (sfdisk then extends it to the end of the free space).
 */
export function retargetDump(dump: string, target: { device: string; partitionPath: (n: number) => string }, opts: { growNumber?: number; growExtended?: number } = {}): string {
  const out: string[] = [];
  for (const line of dump.split('\n')) {
    if (/^last-lba:/.test(line)) continue;
    if (/^device:/.test(line)) {
      out.push(`device: ${target.device}`);
      continue;
    }
    const m = /^(\S+)\s*:\s*(.*)$/.exec(line);
    if (m && /start=/.test(m[2]!)) {
      const n = partitionNumber(m[1]!);
      let fields = m[2]!;
      if (n === opts.growNumber || n === opts.growExtended) fields = fields.replace(/,?\s*size=\s*\d+/, '');
      out.push(`${target.partitionPath(n)} : ${fields}`);
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}


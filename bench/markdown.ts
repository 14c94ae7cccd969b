// The README's benchmark tables from a saved JSON report: node dist/bench/markdown.js report.json
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { type TargetResult, fmtValue, verdict } from './targets.js';

interface Spread {
  median: number;
  min: number;
  max: number;
}
/** The parts of `npm run bench -- --save FILE`'s JSON that the tables use. */
export interface SavedReport {
  command: string;
  reps: number;
  machine: { nproc: number; cpu?: string; memBytes: number; diskBytes?: number; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  imager?: { disk: { id: string; fsUsedBytes: number; sizeBytes: number }; lifeboatPeakRssBytes?: { backup: number; restore: number }; operations: { id: string; phase: string; label: string; seconds: Spread; imageBytes?: number }[] }[];
  iso?: { bytes: number; coldStat: Spread; warmStat: Spread; bootStat: Spread; cold: unknown[]; warm: unknown[]; bootSeconds: number[]; bootMemoryMiB: number };
  guestRam?: { smallestMiB: number | null; sourceUsedBytes: number; tries: { memoryMiB: number; backup: { ok: boolean; seconds: number }; restore?: { ok: boolean; seconds: number }; verified?: boolean }[] };
  targets: TargetResult[];
}

const s = (x: Spread) => `${x.median.toFixed(1)} (${x.min.toFixed(1)}–${x.max.toFixed(1)})`;
const gib = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`;
const esc = (t: string) => t.replaceAll('|', '\\|');

export function markdownReport(r: SavedReport, date: string): string {
  const m = r.machine;
  const load = [...m.loadAverageAtStart, ...m.loadAverageAtEnd];
  const out: string[] = [];
  out.push(
    `Latest figures (${date}; \`${r.command}\`, ${r.reps} reps, median (min–max) seconds; ${m.nproc} vCPUs${m.cpu ? ` ${m.cpu}` : ''}, ${Math.round(m.memBytes / 1024 ** 3)} GiB RAM` +
      `${m.diskBytes ? `, ${Math.round(m.diskBytes / 1024 ** 3)} GiB disk` : ''}, Debian 12, QEMU without KVM; load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}` +
      `${Math.max(...load) > 1 ? ': the machine was busy with other builds, tests and QEMU runs, so these are noisy' : ''}):`,
  );
  for (const d of r.imager ?? []) {
    const op = (id: string) => d.operations.find((o) => o.id === id);
    out.push('', `Imager, ${d.disk.id}-full disk (4 GiB GPT, ext4, ${gib(d.disk.fsUsedBytes)} used):`, '');
    out.push('| operation | seconds | ÷ hand | ÷ dd | ÷ ocs-sr | image |', '|---|---|---|---|---|---|');
    for (const o of d.operations) {
      const ratio = (to: string) => (o.seconds.median / (op(`${to}-${o.phase}`)?.seconds.median ?? NaN)).toFixed(2);
      out.push(`| ${o.phase}: ${esc(o.label)} | ${s(o.seconds)} | ${ratio('hand')} | ${ratio('dd')} | ${ratio('ocs')} | ${o.imageBytes ? `${(o.imageBytes / 1024 ** 2).toFixed(0)} MiB` : ''} |`);
    }
    const rss = d.lifeboatPeakRssBytes;
    if (rss && Number.isFinite(rss.backup)) out.push('', `Lifeboat's peak memory (its process tree: node, partclone, zstd): backup ${(rss.backup / 1024 ** 2).toFixed(0)} MiB, restore ${(rss.restore / 1024 ** 2).toFixed(0)} MiB.`);
  }
  if (r.iso) {
    const i = r.iso;
    out.push('', 'ISO (default config):', '', '| figure | value |', '|---|---|');
    out.push(`| size | ${(i.bytes / 1e6).toFixed(1)} MB (${i.bytes.toLocaleString('en')} bytes) |`);
    out.push(`| cold build, empty cache (${i.cold.length}×) | ${s(i.coldStat)} s |`);
    out.push(`| warm rebuild after an app-only change, root reused (${i.warm.length}×) | ${s(i.warmStat)} s |`);
    out.push(`| boot to LIFEBOAT-READY, BIOS CD, TCG, ${i.bootMemoryMiB} MiB (${i.bootSeconds.length}×) | ${s(i.bootStat)} s |`);
  }
  if (r.guestRam) {
    const g = r.guestRam;
    const tries = g.tries.map((t) => `${t.memoryMiB} MiB: backup ${t.backup.ok ? 'ok' : 'failed'}${t.restore ? `, restore ${t.restore.ok ? 'ok' : 'failed'}` : ''}${t.verified ? ', files identical' : ''}`).join('; ');
    out.push('', `Guest RAM, unattended backup + restore of ${(g.sourceUsedBytes / 1024 ** 2).toFixed(0)} MiB of files (tried upwards from 512 MiB): smallest ${g.smallestMiB === null ? 'none' : `${g.smallestMiB} MiB`} (${tries}).`);
  }
  out.push('', 'Targets:', '', '| target | measured | limit | verdict |', '|---|---|---|---|');
  for (const t of r.targets) out.push(`| ${esc(t.what)} | ${t.measured === null ? '–' : fmtValue(t.unit, t.measured)} | ${Number.isFinite(t.limit) ? `≤ ${fmtValue(t.unit, t.limit)}` : '–'} | ${verdict(t)} |`);
  return `${out.join('\n')}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node dist/bench/markdown.js REPORT.json');
  process.stdout.write(markdownReport(JSON.parse(await readFile(file, 'utf8')) as SavedReport, new Date().toISOString().slice(0, 10)));
}

// Slow suite: builds the default ISO (or reuses one built from the same sources) and boots it under QEMU as a BIOS
// CD, a UEFI CD, a UEFI CD with Secure Boot enforced, and a USB disk (BIOS and UEFI); each boot must reach the
// Lifeboat entry point (its marker on the serial port) and answer `lifeboat --version` with the embedded Node's.
// Needs root, the network (Debian mirror, npm registry) on the first build, qemu-system-x86 and ovmf.
// LIFEBOAT_TEST_ISO=/path/to.iso boots that ISO instead; LIFEBOAT_SKIP_ISO_BOOT=1 skips the suite.
import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIso } from '../../builder/build.js';
import { Runner } from '../../imager/runner/run.js';
import { defaultIsoConfig } from '../../iso-config/load.js';
import { bootIso, type IsoBootMode } from './qemu-iso.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const isoDir = process.env['LIFEBOAT_TEST_ISO_DIR'] ?? '/var/tmp/lifeboat-test-iso';
const nodeVersion = defaultIsoConfig().node.version;
const marker = `LIFEBOAT-READY node=v${nodeVersion}`;
const skip = process.env['LIFEBOAT_SKIP_ISO_BOOT'] === '1';

/** A hash of everything that goes into the ISO from this repository, to know when a built ISO is stale. */
async function sourcesHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const top of ['builder', 'iso-config', 'cli', 'imager']) {
    const files = (await readdir(path.join(repo, top), { recursive: true })).filter((f) => /\.(ts|json)$/.test(f)).sort();
    for (const f of files) hash.update(`${top}/${f}\0`).update(await readFile(path.join(repo, top, f)));
  }
  for (const f of ['package.json', 'package-lock.json']) hash.update(await readFile(path.join(repo, f)));
  return hash.digest('hex');
}

async function defaultIso(log: (line: string) => void): Promise<string> {
  const given = process.env['LIFEBOAT_TEST_ISO'];
  if (given) return given;
  const stampFile = path.join(isoDir, 'sources.sha256');
  const stamp = await sourcesHash();
  const existing = existsSync(stampFile) ? (await readFile(stampFile, 'utf8')).trim().split('  ') : [];
  if (existing[0] === stamp && existing[1] && existsSync(existing[1])) {
    log(`reusing ${existing[1]} (built from these sources)`);
    return existing[1];
  }
  await mkdir(isoDir, { recursive: true });
  const r = await buildIso({
    config: defaultIsoConfig(),
    out: isoDir,
    runner: new Runner(),
    emit: (e) => {
      if (e.type === 'stage-done') log(`${e.stage}: ${e.seconds.toFixed(1)} s${e.note ? ` (${e.note})` : ''}`);
      if (e.type === 'note') log(`  ${e.message}`);
    },
  });
  log(`built ${r.iso}: ${(r.bytes / 1024 / 1024).toFixed(0)} MiB in ${r.seconds.toFixed(0)} s`);
  await writeFile(stampFile, `${stamp}  ${r.iso}\n`);
  return r.iso;
}

let iso = '';

test.before(async (t) => {
  if (skip) return;
  iso = await defaultIso((l) => t.log(l));
});

const versionAnswer = new RegExp(`lifeboat \\S+ \\(node v${nodeVersion.replaceAll('.', '\\.')}\\)`);
const version = { send: 'lifeboat --version', expect: versionAnswer };
/** On the USB disk boot, the imager itself runs too: lifeboat disks finds the stick and marks it as the live medium. */
const disks = { send: 'lifeboat disks', expect: /\/dev\/sda [^\n]*LIVE MEDIUM/ };

const modes: Record<IsoBootMode, (typeof version)[]> = {
  'bios-cd': [version],
  'uefi-cd': [version],
  'uefi-secure-boot-cd': [version],
  'bios-usb-disk': [version, disks],
  'uefi-usb-disk': [version],
};

for (const [mode, commands] of Object.entries(modes) as [IsoBootMode, (typeof version)[]][]) {
  (skip ? test.skip : test.serial)(`${mode}: boots into the Lifeboat entry point; ${commands.map((c) => c.send).join(', ')}`, async (t) => {
    const r = await bootIso(iso, mode, { marker, commands });
    t.log(`${mode}: marker after ${r.markerSeconds.toFixed(1)} s; ${r.replies[0]?.match(versionAnswer)?.[0]}`);
    t.regex(r.serial, new RegExp(marker.replaceAll('.', '\\.')));
    if (mode === 'uefi-secure-boot-cd') t.regex(r.serial, /Secure boot enabled/, 'the kernel reports Secure Boot enforced');
    if (mode.endsWith('usb-disk')) t.regex(r.serial, /\[sda\] Attached SCSI (removable )?disk/, 'the ISO was a USB disk, not a CD');
  });
}

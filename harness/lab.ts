// The guest lab: the project's own ISO booted under QEMU (direct kernel boot, TCG) with scenario disks and a lab
// disk, for what this host's kernel lacks (device-mapper, md, vfat, CIFS and NFS clients). The lab disk is an ext4
// image made without mounting (mkfs.ext4 -d) that carries the scenario scripts and files; in the guest, root's
// shell on the serial console mounts it by label, runs every scenario in turn (several per boot: a boot costs
// minutes under TCG), and each leaves its log, exit status and files in out/<name>/ on the lab disk, which the host
// reads back with debugfs after the guest stopped, again without mounting. The guest's only network is QEMU user
// networking with restrict=on and explicit forwards to servers on the host's 127.0.0.1 (qemu-args.ts guestNetwork).
import { execa } from 'execa';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runOnSerialShell } from './boot.js';
import { qemuKernelArgs, type GuestForward } from './qemu-args.js';
import { startVm } from './qemu-vm.js';

/** The lab disk's filesystem label, and where the guest mounts it. */
export const labLabel = 'LBLAB';
const guestDir = '/lab';

export interface LabScenario {
  /** A name usable as a file name: [a-z0-9-]+. */
  name: string;
  /**
   * A bash script run with `bash -eu` in the guest, as root, in /lab; $OUT is its own folder on the lab disk (files
   * written there come back to the host), $FILES the lab disk's files/ folder. /dev/vda… are the scenario disks.
   */
  script: string;
  /** Seconds before the guest's `timeout` stops the scenario (default 600). */
  timeoutSeconds?: number;
}

export interface LabOptions {
  iso: string;
  kernel: { kernel: string; initrd: string };
  /** The kernel command line (the boot menu's default entry; no lifeboat.job, so the console opens a shell). */
  append: string;
  /** The entry point's marker on the serial port, after which the console is usable. */
  marker: string;
  /** Raw disk files: /dev/vda, /dev/vdb, … in this order; the lab disk comes after them. */
  disks: string[];
  scenarios: LabScenario[];
  /** Files put on the lab disk under files/ (name -> content). */
  files?: Record<string, string | Buffer>;
  forwards?: GuestForward[];
  /** A folder of the caller's for the lab disk and what comes back; the caller removes it. */
  workDir: string;
  memoryMiB?: number;
  /** For the whole boot, scenarios included. */
  timeoutMs: number;
}

export interface LabScenarioResult {
  name: string;
  /** The scenario's exit status; undefined when it never finished (the lab stopped first). */
  exitCode: number | undefined;
  /** Its stdout and stderr. */
  log: string;
  /** The host folder holding what it left in $OUT. */
  dir: string;
}

export interface LabResult {
  scenarios: Record<string, LabScenarioResult>;
  serial: string;
  seconds: number;
}

/** The guest's driver script: every scenario in turn, its status and log kept, then the lab disk synced. */
function runAll(scenarios: LabScenario[]): string {
  const lines = ['#!/bin/bash', '# Written by harness/lab.ts: runs each scenario, keeps its log and exit status in out/<name>/.', `cd ${guestDir}`];
  for (const s of scenarios) {
    const out = `${guestDir}/out/${s.name}`;
    lines.push(
      `mkdir -p ${out}`,
      `echo "LAB-SCENARIO-START ${s.name}"`,
      `OUT=${out} FILES=${guestDir}/files timeout ${s.timeoutSeconds ?? 600} bash -eu ${guestDir}/scenarios/${s.name}.sh >${out}/log 2>&1 </dev/null`,
      `echo $? >${out}/exit`,
      `echo "LAB-SCENARIO-END ${s.name} $(cat ${out}/exit)"`,
    );
  }
  lines.push('sync', '');
  return lines.join('\n');
}

/** The lab disk: an ext4 image holding run-all.sh, scenarios/ and files/, made with mkfs.ext4 -d (no mount). */
async function makeLabDisk(o: LabOptions): Promise<string> {
  const tree = path.join(o.workDir, 'lab-tree');
  await rm(tree, { recursive: true, force: true });
  await mkdir(path.join(tree, 'scenarios'), { recursive: true });
  await mkdir(path.join(tree, 'files'), { recursive: true });
  await mkdir(path.join(tree, 'out'), { recursive: true });
  for (const s of o.scenarios) {
    if (!/^[a-z0-9-]+$/.test(s.name)) throw new Error(`lab scenario name ${JSON.stringify(s.name)}: use [a-z0-9-]+`);
    await writeFile(path.join(tree, 'scenarios', `${s.name}.sh`), s.script);
  }
  for (const [name, content] of Object.entries(o.files ?? {})) {
    await mkdir(path.dirname(path.join(tree, 'files', name)), { recursive: true });
    await writeFile(path.join(tree, 'files', name), content);
  }
  await writeFile(path.join(tree, 'run-all.sh'), runAll(o.scenarios), { mode: 0o755 });
  const filesBytes = Object.values(o.files ?? {}).reduce((n, c) => n + Buffer.byteLength(c), 0);
  const image = path.join(o.workDir, 'lab.img');
  await execa('truncate', ['-s', `${64 + Math.ceil((2 * filesBytes) / 2 ** 20)}M`, image]);
  await execa('mkfs.ext4', ['-q', '-F', '-L', labLabel, '-d', tree, image]);
  return image;
}

/** What the scenarios left on the lab disk, copied out with debugfs (read-only, no mount). */
async function collect(o: LabOptions, image: string): Promise<Record<string, LabScenarioResult>> {
  const back = path.join(o.workDir, 'back');
  await rm(back, { recursive: true, force: true });
  await mkdir(back, { recursive: true });
  await execa('debugfs', ['-R', `rdump /out ${back}`, image]);
  const results: Record<string, LabScenarioResult> = {};
  const present = new Set(await readdir(path.join(back, 'out')).catch(() => [] as string[]));
  for (const s of o.scenarios) {
    const dir = path.join(back, 'out', s.name);
    const exit = present.has(s.name) ? await readFile(path.join(dir, 'exit'), 'utf8').catch(() => undefined) : undefined;
    const log = present.has(s.name) ? await readFile(path.join(dir, 'log'), 'utf8').catch(() => '') : '';
    results[s.name] = { name: s.name, exitCode: exit === undefined ? undefined : Number(exit.trim()), log, dir };
  }
  return results;
}

/** Boots the lab, runs the scenarios, always stops QEMU, and returns what each scenario did. */
export async function runLab(o: LabOptions): Promise<LabResult> {
  const image = await makeLabDisk(o);
  const vm = startVm(qemuKernelArgs({ ...o.kernel, append: o.append, iso: o.iso, disks: [...o.disks, image], timeoutMs: o.timeoutMs, ...(o.memoryMiB ? { memoryMiB: o.memoryMiB } : {}), forwards: o.forwards ?? [] }));
  const started = Date.now();
  try {
    await vm.waitFor((t) => t.includes(o.marker), 0, o.timeoutMs, `marker "${o.marker}"`);
    // The answer is computed in the guest, so that the echo of the typed line does not match it.
    const remaining = Math.max(60_000, o.timeoutMs - (Date.now() - started));
    await runOnSerialShell(vm, o.marker, [
      { send: `mkdir -p ${guestDir} && mount LABEL=${labLabel} ${guestDir} && bash ${guestDir}/run-all.sh; umount ${guestDir}; echo LAB-DONE-$((6*7))`, expect: /LAB-DONE-42/, timeoutMs: remaining },
    ]);
  } finally {
    await vm.stop();
  }
  return { scenarios: await collect(o, image), serial: vm.serial(), seconds: vm.seconds() };
}

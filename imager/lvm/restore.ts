// Carries out the LVM steps of a restore as Clonezilla's restore_logv does: pvcreate with the PV's UUID and the VG's metadata, vgcfgrestore, activation.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Runner } from '../../core/runner/run.js';
import type { LvmRestoreStep } from './restore-plan.js';

const lvmEnv = { LVM_SUPPRESS_FD_WARNINGS: '1' };

/** The VG's metadata file copied to a local folder first (restore_logv does the same: a network store may not allow mmap). */
async function withLocalConf<T>(conf: string, fn: (file: string) => Promise<T>): Promise<T> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'lifeboat-vgcfg-'));
  try {
    const file = path.join(tmp, path.basename(conf));
    await copyFile(conf, file);
    return await fn(file);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function runLvmStep(runner: Runner, step: LvmRestoreStep): Promise<void> {
  switch (step.kind) {
    case 'lvm-pv':
      await withLocalConf(step.conf, (file) =>
        runner.run('pvcreate', ['-ff', '--yes', '--uuid', step.uuid, '--zero', 'y', '--restorefile', file, step.target], { env: lvmEnv, hint: `the PV of ${step.vg} does not fit ${step.target}` }),
      );
      break;
    case 'lvm-vg':
      // --force: as restore_logv, so that metadata with thin pools is restored too.
      await withLocalConf(step.conf, (file) => runner.run('vgcfgrestore', ['--force', '-f', file, step.vg], { env: lvmEnv, hint: `LVM could not restore the metadata of ${step.vg}` }));
      await runner.run('vgchange', ['--activate', 'y', step.vg], { env: lvmEnv, hint: `LVM could not activate ${step.vg}` });
      // The LVs' nodes are made by udev where it runs: wait for it (a no-op where there is none).
      await runner.run('udevadm', ['settle'], { okExitCodes: [1, 2] }).catch(() => undefined);
      break;
    case 'lvm-deactivate':
      await runner.run('vgchange', ['--activate', 'n', step.vg], { env: lvmEnv, hint: `LVM could not deactivate ${step.vg}` });
      break;
  }
}

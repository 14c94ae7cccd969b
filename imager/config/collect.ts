// Keeps the configuration of every system on the disk being imaged (imager/config/kept.ts): each filesystem the
// backup saved is looked at read-only once its data is through (partclone refuses a mounted source, so never while
// it reads); what holds a Linux root, a /boot, a Windows system or an ESP gets its folder in lifeboat-config/.
// Nothing here can fail the backup: a filesystem that cannot be read for this is a warning, and the image is whole.
import path from 'node:path';
import { rm } from 'node:fs/promises';
import type { Runner } from '../../core/runner/run.js';
import { withReadOnlyMount, holdReadOnly, letGo } from '../fs/mount.js';
import { mountSpec } from '../fs/registry.js';
import { espFiles, keepEsp } from './esp.js';
import { configFolder, configKey, ConfigOut, type KeptConfig } from './kept.js';
import { bootOn, keepBoot, keepLinux, linuxRootOn, systemName } from './linux.js';
import { keepWindows, windowsOn } from './windows.js';

/** A filesystem the backup saved: its partition's or LV's name, its device, and blkid's type. */
export interface ConfigSource {
  name: string;
  device: string;
  fsType: string | undefined;
  /** Where it is mounted, when the backup read it while mounted (frozen): its configuration is read there. */
  mountedAt?: string;
}

/** The filesystems that can hold a system's configuration. */
const looked = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'ntfs', 'vfat']);

export function configSources<T extends ConfigSource>(all: T[]): T[] {
  return all.filter((s) => s.fsType !== undefined && looked.has(s.fsType));
}

/** What one filesystem holds, kept in out; undefined when it holds no system's configuration. */
async function keepOne(runner: Runner, s: ConfigSource, out: ConfigOut): Promise<Omit<KeptConfig, 'source' | 'folder' | 'files'> | undefined> {
  if (s.fsType === 'vfat') {
    await holdReadOnly(runner, s.device);
    try {
      const files = await espFiles(runner, s.device);
      if (!files) return undefined;
      await keepEsp(runner, s.device, files, out);
      return { kind: 'esp' };
    } finally {
      await letGo(runner, s.device);
    }
  }
  const look = async (dir: string) => {
    const root = await linuxRootOn(dir);
    if (root) {
      await keepLinux(runner, root, out);
      const name = await systemName(root);
      return { kind: 'linux' as const, ...(name ? { system: name } : {}) };
    }
    const hives = await windowsOn(dir);
    if (hives) {
      await keepWindows(dir, hives, out);
      return { kind: 'windows' as const, system: 'Windows' };
    }
    if (await bootOn(dir)) {
      await keepBoot(dir, out);
      return { kind: 'boot' as const };
    }
    return undefined;
  };
  // A filesystem the backup read while mounted is looked at where it is mounted (a second mount would be refused).
  if (s.mountedAt !== undefined) return look(s.mountedAt);
  if (!mountSpec(s.fsType)) return undefined;
  return withReadOnlyMount(runner, s.device, s.fsType, look);
}

/**
 * Keeps every source's configuration under imageDir/lifeboat-config; returns what was kept and, for each source that
 * could not be read for it, one warning line.
 */
export async function collectConfig(runner: Runner, imageDir: string, sources: ConfigSource[], signal?: AbortSignal): Promise<{ kept: KeptConfig[]; warnings: string[] }> {
  const kept: KeptConfig[] = [];
  const warnings: string[] = [];
  for (const s of configSources(sources)) {
    if (signal?.aborted) break;
    const folder = `${configFolder}/${configKey(s.name)}`;
    const out = new ConfigOut(path.join(imageDir, folder));
    try {
      const found = await keepOne(runner, s, out);
      if (found && out.files.length > 0) kept.push({ source: s.name, ...found, folder, files: out.files.slice().sort() });
      else await rm(out.dir, { recursive: true, force: true });
    } catch (e) {
      await rm(out.dir, { recursive: true, force: true });
      warnings.push(`${s.name}: its configuration was not kept (${(e as Error).message.split('\n')[0]}); the partition's image is whole`);
    }
  }
  if (kept.length === 0) await rm(path.join(imageDir, configFolder), { recursive: true, force: true });
  return { kept, warnings };
}

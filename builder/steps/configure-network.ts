// Stage: wired networking by systemd-networkd (DHCP or a static address) with systemd-resolved for names.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Step } from '../driver.js';
import { toolsOf } from '../context.js';
import { writeRootFile } from '../root-files.js';
import { networkFile } from '../system/files.js';

export const networkUnits: readonly string[] = ['systemd-networkd.service', 'systemd-resolved.service'];

/**
 * systemd-resolved's package script keeps the build host's /etc/resolv.conf (its name servers, its mode) here, to
 * restore it on purge: it describes the machine that built the ISO, and makes builds on two hosts (or in Docker) differ.
 */
export const buildHostResolvConfBackup = '/etc/.resolv.conf.systemd-resolved.bak';

export const configureNetwork: Step = {
  name: 'configure network',
  skip: (c) => (c.network.mode === 'off' ? 'network is off' : undefined),
  async run(ctx) {
    const n = ctx.config.network;
    await writeRootFile(ctx.paths.root, '/etc/systemd/network/50-lifeboat-wired.network', networkFile(n));
    await rm(path.join(ctx.paths.root, buildHostResolvConfBackup), { force: true });
    await toolsOf(ctx).runInRoot(ctx.paths.root, ['systemctl', 'enable', ...networkUnits]);
    return n.mode === 'dhcp' ? `DHCP on ${n.interfaces.join(' ')}` : `${n.address} via ${n.gateway}`;
  },
};

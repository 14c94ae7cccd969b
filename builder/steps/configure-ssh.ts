// Stage: an SSH server for root that takes the configured keys only; host keys are made at each boot.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Step } from '../driver.js';
import { toolsOf } from '../context.js';
import { removeInRoot, writeRootFile } from '../root-files.js';
import { authorizedKeys, sshdConfig, sshKeygenUnit } from '../system/files.js';

export const configureSsh: Step = {
  name: 'configure ssh',
  skip: (c) => (c.ssh.enabled ? undefined : 'ssh is off'),
  async run(ctx) {
    const root = ctx.paths.root;
    await writeRootFile(root, '/etc/ssh/sshd_config.d/lifeboat.conf', sshdConfig());
    await writeRootFile(root, '/root/.ssh/authorized_keys', authorizedKeys(ctx.config.ssh.authorizedKeys), 0o600);
    for (const name of await readdir(path.join(root, 'etc/ssh'))) if (name.startsWith('ssh_host_')) await removeInRoot(root, `/etc/ssh/${name}`);
    await writeRootFile(root, '/etc/systemd/system/lifeboat-ssh-keygen.service', sshKeygenUnit());
    await toolsOf(ctx).runInRoot(root, ['systemctl', 'enable', 'lifeboat-ssh-keygen.service', 'ssh.service']);
    return `${ctx.config.ssh.authorizedKeys.length} authorized key(s), no passwords`;
  },
};

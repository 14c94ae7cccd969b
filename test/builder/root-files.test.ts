// Writing into the live root never leaves it, even through the absolute symlinks Debian roots hold.
import test from 'ava';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { removeInRoot, symlinkInRoot, writeRootFile } from '../../builder/root-files.js';

async function fakeRoot(t: { teardown(f: () => Promise<void>): void }): Promise<{ root: string; outside: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-rootfiles-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'root');
  const outside = path.join(dir, 'host');
  await mkdir(path.join(root, 'etc'), { recursive: true });
  await mkdir(path.join(root, 'var'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await symlink(outside, path.join(root, 'var/run')); // like Debian's /var/run -> /run, but absolute to the host
  return { root, outside };
}

test('writes files with their mode, making parents', async (t) => {
  const { root } = await fakeRoot(t);
  await writeRootFile(root, '/etc/systemd/system/x.d/a.conf', 'x\n', 0o600);
  t.is(await readFile(path.join(root, 'etc/systemd/system/x.d/a.conf'), 'utf8'), 'x\n');
  t.is((await stat(path.join(root, 'etc/systemd/system/x.d/a.conf'))).mode & 0o777, 0o600);
});

test('refuses a path whose parent resolves outside the root', async (t) => {
  const { root, outside } = await fakeRoot(t);
  await t.throwsAsync(writeRootFile(root, '/var/run/evil', 'x'), { message: /resolves outside the live root/ });
  t.false(existsSync(path.join(outside, 'evil')));
});

test('replaces a symlink at the target instead of writing through it', async (t) => {
  const { root, outside } = await fakeRoot(t);
  await writeFile(path.join(outside, 'resolv.conf'), 'host\n');
  await symlink(path.join(outside, 'resolv.conf'), path.join(root, 'etc/resolv.conf'));
  await writeRootFile(root, '/etc/resolv.conf', 'live\n');
  t.is(await readFile(path.join(outside, 'resolv.conf'), 'utf8'), 'host\n', 'the host file is untouched');
  t.false((await lstat(path.join(root, 'etc/resolv.conf'))).isSymbolicLink());
  await symlinkInRoot(root, '/etc/localtime', '/usr/share/zoneinfo/Etc/UTC');
  t.is(await readlink(path.join(root, 'etc/localtime')), '/usr/share/zoneinfo/Etc/UTC');
  await removeInRoot(root, '/etc/localtime');
  t.false(existsSync(path.join(root, 'etc/localtime')));
});

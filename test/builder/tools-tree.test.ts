// The tools tree's sandbox: the exact bubblewrap command lines, started through the tree's own dynamic loader.
import test from 'ava';
import { sandboxNetwork } from '../../builder/container.js';
import { Runner } from '../../core/runner/run.js';
import { rootSandboxArgs, ToolsTree, toolsPackages, toolsSandboxArgs, toolsTreeInputs, toolsTreeMmdebstrapArgs } from '../../builder/tools-tree.js';

const isolation = ['--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-net', '--die-with-parent', '--clearenv'];

test('tools sandbox: the tree is /usr and /etc (merged /usr), host paths bound at the same place', (t) => {
  t.deepEqual(toolsSandboxArgs('/c/tools/k/tree', { ro: ['/w/root'], rw: ['/w/iso/live'], cwd: '/w' }), [
    '--ro-bind', '/c/tools/k/tree/usr', '/usr',
    '--symlink', 'usr/bin', '/bin',
    '--symlink', 'usr/sbin', '/sbin',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    '--ro-bind', '/c/tools/k/tree/etc', '/etc',
    '--dir', '/var/tmp',
    ...isolation,
    '--setenv', 'PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin',
    '--setenv', 'HOME', '/tmp',
    '--setenv', 'LC_ALL', 'C.UTF-8',
    '--setenv', 'TZ', 'UTC',
    '--ro-bind', '/w/root', '/w/root',
    '--bind', '/w/iso/live', '/w/iso/live',
    '--chdir', '/w',
  ]);
});

test('tools sandbox: extra PATH entries come first, SOURCE_DATE_EPOCH passes in', (t) => {
  const args = toolsSandboxArgs('/t', { path: ['/w/node/bin'] }, { SOURCE_DATE_EPOCH: '1700000000' });
  const i = args.indexOf('PATH');
  t.is(args[i + 1], '/w/node/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin');
  t.is(args[args.indexOf('SOURCE_DATE_EPOCH') + 1], '1700000000');
});

test('root sandbox: the live root is / (read-write), with its own /run', (t) => {
  t.deepEqual(rootSandboxArgs('/w/root').slice(0, 5), ['--bind', '/w/root', '/', '--tmpfs', '/run']);
  t.is(rootSandboxArgs('/w/root')[rootSandboxArgs('/w/root').indexOf('HOME') + 1], '/root');
});

test("host command line: the tree's loader runs the tree's bwrap with the tree's libraries", (t) => {
  const tree = new ToolsTree('/c/tools/k/tree', new Runner(), {}, 'x64');
  const { file, args } = tree.argv(['mksquashfs', '-version']);
  t.is(file, '/c/tools/k/tree/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');
  t.deepEqual(args.slice(0, 3), ['--library-path', '/c/tools/k/tree/usr/lib/x86_64-linux-gnu', '/c/tools/k/tree/usr/bin/bwrap']);
  t.deepEqual(args.slice(-3), ['--', 'mksquashfs', '-version']);
  t.throws(() => new ToolsTree('/t', new Runner(), {}, 'ia32').argv(['true']), { message: /no tools tree for a ia32 host/ });
});

test('tools tree: mmdebstrap minbase directory with the build tools and signed boot loaders', (t) => {
  const inputs = toolsTreeInputs({ suite: 'trixie', mirror: 'http://deb.debian.org/debian' }, 'x64');
  for (const p of ['bubblewrap', 'xorriso', 'squashfs-tools', 'grub-pc-bin', 'mtools', 'shim-signed', 'grub-efi-amd64-signed', 'g++', 'python3']) t.true(toolsPackages.includes(p), p);
  t.deepEqual(toolsTreeMmdebstrapArgs(inputs, '/c/tools/.k.partial-1/tree'), [
    '--variant=minbase',
    '--mode=root',
    '--format=directory',
    '--architectures=amd64',
    '--aptopt=APT::Install-Recommends "false"',
    '--dpkgopt=path-exclude=/usr/share/doc/*',
    '--dpkgopt=path-exclude=/usr/share/man/*',
    '--dpkgopt=path-exclude=/usr/share/locale/*',
    `--include=${[...toolsPackages].sort().join(',')}`,
    'trixie',
    '/c/tools/.k.partial-1/tree',
    'http://deb.debian.org/debian',
  ]);
});

test('in a container the sandbox shares the container network namespace (a fresh one needs CAP_NET_ADMIN)', (t) => {
  t.is(sandboxNetwork({}), 'none');
  t.is(sandboxNetwork({ LIFEBOAT_IN_CONTAINER: '1' }), 'shared');
  t.false(toolsSandboxArgs('/t', { network: 'shared' }).includes('--unshare-net'));
  t.false(rootSandboxArgs('/w/root', { network: 'shared' }).includes('--unshare-net'));
  const inDocker = new ToolsTree('/t', new Runner(), {}, 'x64', 'shared');
  t.false(inDocker.argv(['true']).args.includes('--unshare-net'));
  t.false(inDocker.rootArgv('/w/root', ['true']).args.includes('--unshare-net'));
  t.true(new ToolsTree('/t', new Runner(), {}, 'x64', 'none').argv(['true']).args.includes('--unshare-net'));
});

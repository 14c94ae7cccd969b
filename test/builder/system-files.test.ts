// The files system setup writes into the live root, as text.
import test from 'ava';
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { autologinDropIn, commandLauncher, entryLauncher, hostsFile, keyboardFile, localeGenLine, networkFile, noAutoAssemblyFiles, rootBashProfile, setupHookCommands, sshdConfig } from '../../builder/system/files.js';
import { validateIsoConfig } from '../../iso-config/load.js';

test('launchers: the embedded node runs the bundled CLI and the entry point', (t) => {
  t.is(commandLauncher(), '#!/bin/sh\n# Written by lifeboat iso build.\nexec /usr/lib/lifeboat/node/bin/node /usr/lib/lifeboat/app/lifeboat.mjs "$@"\n');
  t.regex(entryLauncher(), /\nexec \/usr\/lib\/lifeboat\/node\/bin\/node \/usr\/lib\/lifeboat\/app\/entry\.mjs "\$@"\n$/);
});

test('autologin: agetty logs root in on tty1 and on the serial port (keeping the configured speed first)', (t) => {
  t.is(autologinDropIn('screen'), '# Written by lifeboat iso build.\n[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --noreset --noclear - ${TERM}\n');
  t.regex(autologinDropIn('serial', 9600), /ExecStart=-\/sbin\/agetty --autologin root --noreset --noclear --keep-baud 9600,115200,57600,38400 - \$\{TERM\}\n$/);
});

test("root's login shell on tty1 and the serial console runs the entry point once, then stays a shell", (t) => {
  t.is(
    rootBashProfile(validateIsoConfig({})),
    [
      '# Written by lifeboat iso build.',
      '[ -f ~/.profile ] && . ~/.profile',
      'if [ -z "${LIFEBOAT_STARTED:-}" ]; then',
      '  case "$(tty)" in',
      '    /dev/tty1|/dev/ttyS0)',
      '      export LIFEBOAT_STARTED=1',
      '      /usr/sbin/lifeboat-entry || echo "lifeboat: the entry point failed (exit code $?); this is a plain shell"',
      '      ;;',
      '  esac',
      'fi',
      '',
    ].join('\n'),
  );
  t.regex(rootBashProfile(validateIsoConfig({ serialConsole: { enabled: false } })), /^ {4}\/dev\/tty1\)$/m);
});

test('network: DHCP, or a static address with gateway and name servers', (t) => {
  t.is(networkFile(validateIsoConfig({}).network), '# Written by lifeboat iso build.\n[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n');
  const s = validateIsoConfig({ network: { mode: 'static', address: '10.0.0.5/8', gateway: '10.0.0.1', dns: ['10.0.0.2'] } }).network;
  t.regex(networkFile(s), /\[Network\]\nAddress=10\.0\.0\.5\/8\nGateway=10\.0\.0\.1\nDNS=10\.0\.0\.2\n$/);
});

test('ssh: root by key only', (t) => {
  t.regex(sshdConfig(), /PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n/);
});

test('locale, keyboard, hosts', (t) => {
  t.is(localeGenLine('de_DE.UTF-8'), 'de_DE.UTF-8 UTF-8\n');
  t.regex(keyboardFile('de-nodeadkeys'), /XKBLAYOUT="de"\nXKBVARIANT="nodeadkeys"/);
  t.regex(keyboardFile('fr'), /XKBLAYOUT="fr"\nXKBVARIANT=""/);
  t.regex(hostsFile('rescue'), /^127\.0\.1\.1\trescue$/m);
});

test('no automatic md assembly or LVM activation: the setup hook, run by sh as mmdebstrap runs it, writes the masks and mdadm.conf', async (t) => {
  const root = await mkdtemp(path.join(tmpdir(), 'lifeboat-setup-hook-'));
  try {
    const files = noAutoAssemblyFiles();
    t.deepEqual(Object.keys(files).sort(), ['/etc/mdadm/mdadm.conf', '/etc/udev/rules.d/64-md-raid-assembly.rules', '/etc/udev/rules.d/69-lvm.rules']);
    // mmdebstrap runs each hook as `sh -c CMD exec ROOT`: "$1" is the root.
    for (const cmd of setupHookCommands(files)) await execa('sh', ['-c', cmd, 'exec', root]);
    for (const [file, text] of Object.entries(files)) t.is(await readFile(path.join(root, file), 'utf8'), text, file);
    t.regex(files['/etc/mdadm/mdadm.conf']!, /^AUTO -all$/m);
    // A masking rules file holds comments only: udev reads no rule from it.
    for (const f of ['/etc/udev/rules.d/64-md-raid-assembly.rules', '/etc/udev/rules.d/69-lvm.rules']) {
      t.deepEqual(files[f]!.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')), [], f);
    }
    t.throws(() => setupHookCommands({ '/etc/x': "it's" }), { message: /single quotes/ });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

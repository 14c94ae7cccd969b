// The boot menu and kernel command lines, the same for BIOS and UEFI.
import test from 'ava';
import { biosEarlyConfig, grubConfig } from '../../builder/boot/grub-cfg.js';
import { kernelParams } from '../../builder/boot/kernel-params.js';
import { validateIsoConfig } from '../../iso-config/load.js';

test('the default menu: three entries, serial and screen, live-boot', (t) => {
  t.is(
    grubConfig(validateIsoConfig({})),
    [
      '# Lifeboat boot menu, the same for BIOS and UEFI. Written by lifeboat iso build.',
      'set timeout=5',
      'set default=lifeboat',
      'serial --unit=0 --speed=115200',
      'terminal_input console serial',
      'terminal_output console serial',
      '',
      "menuentry 'Lifeboat' --id lifeboat {",
      "\techo 'Loading Lifeboat ...'",
      '\tlinux /live/vmlinuz boot=live console=ttyS0,115200n8 console=tty0',
      '\tinitrd /live/initrd.img',
      '}',
      '',
      "menuentry 'Lifeboat (copy to RAM, the medium can be removed)' --id lifeboat-toram {",
      "\techo 'Loading Lifeboat (copy to RAM, the medium can be removed) ...'",
      '\tlinux /live/vmlinuz boot=live console=ttyS0,115200n8 console=tty0 toram',
      '\tinitrd /live/initrd.img',
      '}',
      '',
      "menuentry 'Lifeboat (safe graphics)' --id lifeboat-safe {",
      "\techo 'Loading Lifeboat (safe graphics) ...'",
      '\tlinux /live/vmlinuz boot=live console=ttyS0,115200n8 console=tty0 nomodeset',
      '\tinitrd /live/initrd.img',
      '}',
      '',
    ].join('\n'),
  );
});

test('serial off: no GRUB serial terminal, the screen only; another port and speed', (t) => {
  const off = grubConfig(validateIsoConfig({ serialConsole: { enabled: false } }));
  t.false(off.includes('serial'));
  t.regex(off, /linux \/live\/vmlinuz boot=live console=tty0\n/);
  const s1 = grubConfig(validateIsoConfig({ serialConsole: { port: 'ttyS1', baud: 9600 } }));
  t.regex(s1, /serial --unit=1 --speed=9600/);
  t.regex(s1, /console=ttyS1,9600n8 console=tty0/);
});

test('kernel parameters: autorun as lifeboat.*, then the global and the entry parameters (which win)', (t) => {
  const c = validateIsoConfig({
    autorun: { job: 'backup', disk: '/dev/sda', store: 'LABEL=BACKUPS:/images', after: 'poweroff' },
    boot: { kernelParams: ['quiet'], default: 'a', entries: [{ id: 'a', label: 'A', toRam: true }, { id: 'b', label: 'B', params: ['lifeboat.job=none'] }] },
  });
  t.deepEqual(kernelParams(c, c.boot.entries[0]!), [
    'boot=live', 'console=ttyS0,115200n8', 'console=tty0', 'lifeboat.job=backup', 'lifeboat.disk=/dev/sda', 'lifeboat.store=LABEL=BACKUPS:/images', 'lifeboat.after=poweroff', 'quiet', 'toram',
  ]);
  t.is(kernelParams(c, c.boot.entries[1]!).at(-1), 'lifeboat.job=none');
});

test('the BIOS early config finds the medium by /.disk/info when the boot device does not have it', (t) => {
  t.is(
    biosEarlyConfig(),
    'if [ -z "$root" -o ! -e "($root)/.disk/info" ]; then\n  search --no-floppy --file --set=root /.disk/info\nfi\nset prefix=($root)/boot/grub\n',
  );
});

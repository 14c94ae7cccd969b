// lvm/files.ts: Clonezilla's LVM file names and lines, written as save_logv writes them and read back.
import test from 'ava';
import { fileDescription, logvListText, lvmNames, parseLogvList, parseVgDevList, vgDevListText } from '../../../imager/lvm/files.js';

test("names as ocs-functions makes them: to_ocs_dev_img_name /dev/<vg>/<lv> -> <vg>-<lv>, swappt-<vg>-<lv>.info, lvm_<vg>.conf", (t) => {
  t.is(lvmNames.lvImageBase('vg0', 'root'), 'vg0-root');
  t.is(lvmNames.lvImageBase('fedora_fedora', 'root'), 'fedora_fedora-root');
  t.is(lvmNames.lvSwapInfo('centos', 'swap'), 'swappt-centos-swap.info');
  t.is(lvmNames.vgConf('vg0'), 'lvm_vg0.conf');
});

test('lvm_vg_dev.list: one "<vg> <dev> <uuid>" line per PV, read back', (t) => {
  const text = vgDevListText([{ vg: 'vg0', device: '/dev/sda3', uuid: 'qdlt6U-M4bo-xExy-XG9Q-U7pg-bOXN-n54i5Y' }]);
  t.is(text, 'vg0 /dev/sda3 qdlt6U-M4bo-xExy-XG9Q-U7pg-bOXN-n54i5Y\n');
  t.deepEqual(parseVgDevList(`${text}\n`), [{ vg: 'vg0', device: '/dev/sda3', uuid: 'qdlt6U-M4bo-xExy-XG9Q-U7pg-bOXN-n54i5Y' }]);
});

test("lvm_logv.list: the LV path, two spaces, file(1)'s words; swap is told by the word, as restore_logv's case *[Ss][Ww][Aa][Pp]*", (t) => {
  const text = logvListText([
    { path: '/dev/vg0/root', description: fileDescription('ext4', 'cad20abf-6b84-4ad3-892c-0295c8d53336', 'root') },
    { path: '/dev/vg0/swap', description: fileDescription('swap', 'ea427c58-28a4-4e29-8e83-b9370416df05', 'sw') },
  ]);
  t.is(
    text,
    '/dev/vg0/root  Linux rev 1.0 ext4 filesystem data, UUID=cad20abf-6b84-4ad3-892c-0295c8d53336, volume name "root"\n' +
      '/dev/vg0/swap  Linux swap file, 4k page size, little endian, version 1, LABEL=sw, UUID=ea427c58-28a4-4e29-8e83-b9370416df05\n',
  );
  t.deepEqual(parseLogvList(text).map((l) => [l.path, l.vg, l.lv, l.swap]), [
    ['/dev/vg0/root', 'vg0', 'root', false],
    ['/dev/vg0/swap', 'vg0', 'swap', true],
  ]);
  // A line of Clonezilla's own (file -Ls of an older system), from ocs-functions' comments.
  t.deepEqual(parseLogvList('/dev/vg3/lvol0  Linux rev 1.0 ext3 filesystem data (large files)\n')[0], { path: '/dev/vg3/lvol0', vg: 'vg3', lv: 'lvol0', description: 'Linux rev 1.0 ext3 filesystem data (large files)', swap: false });
});

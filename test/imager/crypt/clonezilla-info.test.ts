// Clonezilla's gocryptfs.info: the values read from a plaintext image as get_gocryptfs_info reads them, the five lines
// as put_gocryptfs_tag_file_in_img writes them, read back; how a folder is told encrypted; passphrase rules.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encryptionOf, formatGocryptfsInfo, gocryptfsInfoOf, parseGocryptfsInfo } from '../../../imager/crypt/clonezilla-info.js';
import { checkedPassphrase, readPassphraseFile } from '../../../imager/crypt/passphrase.js';

test('the marker of a plaintext image: disk, parts, time and size as Clonezilla takes them', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-czinfo-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'disk'), 'sda\n');
  await writeFile(path.join(dir, 'parts'), 'sda1 sda2 sda3\n');
  await writeFile(path.join(dir, 'clonezilla-img'), 'This image was saved by Clonezilla-compatible Lifeboat\n### End of log ###\n### Image created time: 2026-1202-0414\n');
  // parted's compact print, as the backup saves it (<disk>-pt.parted.compact).
  await writeFile(path.join(dir, 'sda-pt.parted.compact'), 'Model: Loopback device (loopback)\nDisk /dev/sda: 839MB\nSector size (logical/physical): 512B/512B\n');
  const info = await gocryptfsInfoOf(dir);
  t.deepEqual(info, { disks: ['sda'], parts: ['sda1', 'sda2', 'sda3'], time: '2026-1202-0414', disksSize: '_839MB' });
  const text = formatGocryptfsInfo(info);
  t.is(text, '# This image was saved with gocryptfs\ndisk_of_img="sda"\nparts_of_img="sda1 sda2 sda3"\ntime_of_img="2026-1202-0414"\ndisks_size_all_of_img="_839MB"\n');
  t.deepEqual(parseGocryptfsInfo(text), info);
  t.is(await encryptionOf(dir), undefined);
  await writeFile(path.join(dir, 'gocryptfs.conf'), '{}');
  t.is(await encryptionOf(dir), 'gocryptfs-partial');
  await writeFile(path.join(dir, 'gocryptfs.info'), text);
  t.is(await encryptionOf(dir), 'gocryptfs');
});

test('values that the shell which sources the marker would take as code are dropped', (t) => {
  const text = formatGocryptfsInfo({ disks: ['sda"; rm -rf /; "'], parts: ['$(x)'], time: '`t`', disksSize: '_1MB' });
  t.notRegex(text, /[`$;]|rm -rf \/"/);
  t.regex(text, /^disk_of_img="sda rm -rf \/ "$/m);
});

test('a passphrase is one line and not empty; a file gives its first line', async (t) => {
  t.is(checkedPassphrase('a b', 'typed'), 'a b');
  t.throws(() => checkedPassphrase('', 'typed'), { message: /the passphrase typed is empty/ });
  t.throws(() => checkedPassphrase('a\nb', 'typed'), { message: /line break/ });
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-pass-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'p'), 'first line\r\nsecond\n');
  t.is(await readPassphraseFile(path.join(dir, 'p')), 'first line');
  await writeFile(path.join(dir, 'empty'), '\n');
  await t.throwsAsync(readPassphraseFile(path.join(dir, 'empty')), { message: /is empty/ });
  await t.throwsAsync(readPassphraseFile(path.join(dir, 'none')), { message: /does not exist or cannot be read/ });
});

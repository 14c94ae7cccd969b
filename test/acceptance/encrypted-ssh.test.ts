// An encrypted backup over ssh:// (issue 12): the GPT test disk backed up with --encrypt to a real sshd started by the
// test (127.0.0.1, key only), the gocryptfs tree over the sshfs mount; listed as encrypted without the passphrase,
// verified and restored identically with it; on the server no plaintext of the disk's files, labels or ids; a wrong
// passphrase refused with nothing written; neither mount (sshfs, gocryptfs) left behind.
import test from 'ava';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { oneClearLine, sameDisk } from '../helpers/assert.js';
import { makeGptSource } from '../helpers/fixtures.js';
import { filesHolding, gocryptfsMountsUnder } from '../helpers/gocryptfs.js';
import { attach, fileHash, makeSparse, scratch } from '../helpers/loop.js';
import { startSshd } from '../helpers/sshd.js';

test.serial('backup --encrypt of the GPT disk to ssh:// -> images -> verify -> restore onto a larger disk: identical; the server holds no plaintext', async (t) => {
  const { dir, attached } = await scratch(t);
  const sshd = await startSshd(t);
  const stores = path.join(dir, 'stores');
  await mkdir(stores);
  const env = { LIFEBOAT_STORES_DIR: stores };
  const access = ['--ssh-key', sshd.clientKey, '--known-hosts', sshd.knownHosts];
  const passFile = path.join(dir, 'passphrase');
  await writeFile(passFile, 'over the wire\n', { mode: 0o600 });
  const source = await makeGptSource(path.join(dir, 'source.img'));
  attached.push(source.disk);
  const image = sshd.uri('pc');
  const nothingLeftMounted = async () => {
    t.deepEqual(await gocryptfsMountsUnder(stores), [], 'no gocryptfs mount is left');
    t.deepEqual(await readdir(stores), [], 'no mount point (sshfs or gocryptfs) is left');
  };

  const backup = await lifeboat(['backup', source.disk.device, image, '--encrypt', '--passphrase-file', passFile, '--compress', 'none', ...access], { env });
  t.is(backup.exitCode, 0, backup.stderr);
  t.regex(backup.stdout, new RegExp(`^Saved ${source.disk.device} to ${image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  await nothingLeftMounted();
  const onServer = path.join(sshd.storeDir, 'pc');
  t.true((await readdir(onServer)).includes('gocryptfs.info'), "Clonezilla's marker beside the tree, on the server");
  for (const s of ['root1234-lifeboat-root1234-lifeboat-', 'lbroot', 'aaaaaaaa-1111-4222-8333-444444444444', 'LBESP'])
    t.deepEqual(await filesHolding(sshd.storeDir, s), [], `no file on the server holds ${s}`);

  const images = await lifeboat(['images', sshd.uri(), '--json', ...access], { env });
  t.is(images.exitCode, 0, images.stderr);
  t.like(JSON.parse(images.stdout).images, [{ name: 'pc', encrypted: true, state: 'encrypted', disk: source.disk.name }]);

  const verify = await lifeboat(['verify', image, '--passphrase-file', passFile, ...access], { env });
  t.is(verify.exitCode, 0, verify.stderr);
  t.regex(verify.stdout, /OK \(lifeboat image, encrypted; /);

  await makeSparse(path.join(dir, 'target.img'), 1000);
  const target = await attach(path.join(dir, 'target.img'));
  attached.push(target);
  const wrong = path.join(dir, 'wrong');
  await writeFile(wrong, 'under the wire\n');
  const before = await fileHash(target.file);
  const refused = await lifeboat(['restore', image, target.device, '--yes', '--passphrase-file', wrong, ...access], { env });
  t.is(refused.exitCode, 10, refused.stderr);
  oneClearLine(t, refused.stderr, /^lifeboat: wrong passphrase for the encrypted image ssh:\/\/root@127\.0\.0\.1:\d+\/.*\/pc: nothing was read or written$/);
  t.is(await fileHash(target.file), before, 'the target is byte-identical after the refusal');
  await nothingLeftMounted();

  const restore = await lifeboat(['restore', image, target.device, '--yes', '--passphrase-file', passFile, ...access], { env });
  t.is(restore.exitCode, 0, restore.stderr);
  await nothingLeftMounted();
  await sameDisk(t, source.disk, target);
});

// Encrypted images (issue 12) on a folder store, with real gocryptfs, partclone and loop devices: the GPT test disk
// backed up with --encrypt and restored identically onto a blank larger disk; Clonezilla's layout (checked against
// what ocs-functions tests); no plaintext of the disk's content, labels or ids in the store; a wrong passphrase
// refused before the target is touched; a flipped byte in an encrypted file found by verify; a stopped encrypted
// backup leaves neither an image nor a mount; an encrypted image made by hand the way Clonezilla makes one restored.
import test from 'ava';
import { execa } from 'execa';
import { cp, mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat, lifeboatBin, untilPrinted } from '../helpers/cli.js';
import { oneClearLine, sameDisk } from '../helpers/assert.js';
import { makeGptSource, type SourceDisk } from '../helpers/fixtures.js';
import { filesHolding, gocryptfsMountsUnder, withGocryptfsView } from '../helpers/gocryptfs.js';
import { attach, fileHash, makeSparse, tempDir, type LoopDisk } from '../helpers/loop.js';

const passphrase = 'correct horse battery staple';
/** A string of the ext4 partition's files (fixtures.ts writeFiles: `${prefix}${i}-lifeboat-` repeated). */
const knownContent = 'root1234-lifeboat-root1234-lifeboat-';

/** One source disk and its encrypted image, shared by the serial tests of this file (made by the first). */
let shared: { dir: string; source: SourceDisk; store: string; image: string; passFile: string; env: Record<string, string>; stores: string } | undefined;
const attached: LoopDisk[] = [];

test.after.always(async () => {
  for (const d of attached) await d.detach();
  if (shared) await rm(shared.dir, { recursive: true, force: true });
});

/** A blank 1000 MiB disk, attached (detached after the file's tests), and the SHA-256 of its bytes. */
async function blankDisk(name: string): Promise<{ target: LoopDisk; before: string }> {
  await makeSparse(path.join(shared!.dir, name), 1000);
  const target = await attach(path.join(shared!.dir, name));
  attached.push(target);
  return { target, before: await fileHash(target.file) };
}

/** No gocryptfs mount and no mount point left in the test's stores folder. */
async function nothingLeftMounted(t: import('ava').ExecutionContext) {
  t.deepEqual(await gocryptfsMountsUnder(shared!.stores), [], 'no gocryptfs mount is left');
  t.deepEqual(await readdir(shared!.stores), [], 'the private mount points are removed');
}

test.serial('backup --encrypt of the GPT disk into a folder -> images -> info -> verify -> restore onto a blank larger disk: identical', async (t) => {
  const dir = await tempDir();
  const stores = path.join(dir, 'stores');
  await mkdir(stores);
  const source = await makeGptSource(path.join(dir, 'source.img'));
  attached.push(source.disk);
  const passFile = path.join(dir, 'passphrase');
  await writeFile(passFile, `${passphrase}\n`, { mode: 0o600 });
  const store = path.join(dir, 'store');
  const image = path.join(store, 'pc');
  shared = { dir, source, store, image, passFile, env: { LIFEBOAT_STORES_DIR: stores }, stores };

  // Uncompressed: a plaintext image would hold the files' bytes as they are, so the grep below can fail.
  const backup = await lifeboat(['backup', source.disk.device, image, '--encrypt', '--passphrase-file', passFile, '--compress', 'none'], { env: shared.env });
  t.is(backup.exitCode, 0, backup.stderr);
  t.regex(backup.stderr, /^ {2}encrypted with gocryptfs \(Clonezilla's layout\): restoring it needs the passphrase$/m, 'the plan says the image is encrypted');
  t.regex(backup.stdout, new RegExp(`^Saved ${source.disk.device} to ${image}: `));
  await nothingLeftMounted(t);

  const images = await lifeboat(['images', store, '--json'], { env: shared.env });
  t.is(images.exitCode, 0, images.stderr);
  t.like(JSON.parse(images.stdout).images, [{ name: 'pc', encrypted: true, state: 'encrypted', origin: 'lifeboat', disk: source.disk.name }]);
  t.regex((await lifeboat(['images', store], { env: shared.env })).stdout, /^pc\s.*encrypted \(gocryptfs\)$/m, 'listed without the passphrase');

  const info = await lifeboat(['info', image, '--json', '--passphrase-file', passFile], { env: shared.env });
  t.is(info.exitCode, 0, info.stderr);
  t.like(JSON.parse(info.stdout), { image, encrypted: true, state: 'complete', table: { type: 'gpt', partitions: 6 } });

  const verify = await lifeboat(['verify', image, '--passphrase-file', passFile], { env: shared.env });
  t.is(verify.exitCode, 0, verify.stderr);
  t.regex(verify.stdout, /OK \(lifeboat image, encrypted; /);

  await makeSparse(path.join(dir, 'target.img'), 1000);
  const target = await attach(path.join(dir, 'target.img'));
  attached.push(target);
  const restore = await lifeboat(['restore', image, target.device, '--yes', '--json', '--passphrase-file', passFile], { env: shared.env });
  t.is(restore.exitCode, 0, restore.stderr);
  await nothingLeftMounted(t);
  await sameDisk(t, source.disk, target);
});

test.serial("the layout is Clonezilla's: what ocs-functions' is_gocryptfs_img and task_gocryptfs_mount_point check holds", async (t) => {
  const { image } = shared!;
  const files = await readdir(image);
  // stevenshiau/clonezilla scripts/sbin/ocs-functions (6e6b11ec), is_gocryptfs_img (lines 18303-18312):
  //   [ -e "${tgt_dir_abs}/gocryptfs.info" ] && [ -n "$(LC_ALL=C file -Lbi "${tgt_dir_abs}/clonezilla-img" | grep -Ew "charset=binary")" ]
  t.true(files.includes('gocryptfs.info'));
  t.regex((await execa('file', ['-Lbi', path.join(image, 'clonezilla-img')], { env: { LC_ALL: 'C' } })).stdout, /\bcharset=binary\b/);
  // put_gocryptfs_tag_file_in_img (lines 18375-18386): the marker's five lines, sourced by the image lists (5207-5212).
  const marker = await readFile(path.join(image, 'gocryptfs.info'), 'utf8');
  t.regex(marker, new RegExp(`^# This image was saved with gocryptfs\ndisk_of_img="${shared!.source.disk.name}"\nparts_of_img="(${shared!.source.disk.name}p\\d ?){5}"\ntime_of_img="\\d{4}-\\d{4}-\\d{4}"\ndisks_size_all_of_img="_\\d+MB"\n$`));
  // task_gocryptfs_mount_point (18159, 18190): `gocryptfs -init -plaintextnames`; so the list's `[ ! -f "$imagedir/$file/disk" ]`
  // (line 5194) finds the image, and the names are the plain ones.
  t.true(files.includes('gocryptfs.conf'));
  t.true(JSON.parse(await readFile(path.join(image, 'gocryptfs.conf'), 'utf8')).FeatureFlags.includes('PlaintextNames'));
  for (const f of ['disk', 'parts', 'lifeboat.json', `${shared!.source.disk.name}-pt.sf`]) t.true(files.includes(f), f);
  // After the mount, the restore's check (lines 18206-18207): clonezilla-img is text and starts "This image was saved by Clonezilla".
  await withGocryptfsView(image, passphrase, async (view) => {
    const czImg = path.join(view, 'clonezilla-img');
    t.notRegex((await execa('file', ['-Lbi', czImg], { env: { LC_ALL: 'C' } })).stdout, /\bcharset=binary\b/);
    t.regex(await readFile(czImg, 'utf8'), /^This image was saved by Clonezilla/);
  });
});

test.serial('no plaintext in the store: not the disk\'s file content, not its labels or ids (which the plaintext view shows)', async (t) => {
  const { image, store } = shared!;
  const secrets = [knownContent, 'lbroot', 'aaaaaaaa-1111-4222-8333-444444444444', '11111111-2222-4333-8444-555555555502', 'LBESP'];
  // The control: the same image through its plaintext view holds each of them, so the grep can find them.
  await withGocryptfsView(image, passphrase, async (view) => {
    for (const s of secrets) t.not((await filesHolding(view, s)).length, 0, `the plaintext view holds ${s}`);
    t.true((await filesHolding(view, knownContent)).some((f) => /p2\.ext4-ptcl-img\.uncomp$/.test(f)));
  });
  for (const s of secrets) t.deepEqual(await filesHolding(store, s), [], `no file on the store holds ${s}`);
});

test.serial('a wrong or missing passphrase: one clear line, exit 10, the target disk byte-identical, nothing left mounted', async (t) => {
  const { dir, image, env } = shared!;
  const wrong = path.join(dir, 'wrong');
  await writeFile(wrong, 'Tr0ub4dor&3\n');
  const { target, before } = await blankDisk('blank.img');
  const restore = await lifeboat(['restore', image, target.device, '--yes', '--passphrase-file', wrong], { env });
  t.is(restore.exitCode, 10, restore.stderr);
  oneClearLine(t, restore.stderr, new RegExp(`^lifeboat: wrong passphrase for the encrypted image ${image}: nothing was read or written$`));
  for (const cmd of ['verify', 'info']) {
    const r = await lifeboat([cmd, image, '--passphrase-file', wrong], { env });
    t.is(r.exitCode, 10, r.stderr);
    oneClearLine(t, r.stderr, /wrong passphrase for the encrypted image/);
  }
  // No file and no terminal (stdin is not one here): refused, not asked.
  const none = await lifeboat(['restore', image, target.device, '--yes'], { env });
  t.is(none.exitCode, 10, none.stderr);
  oneClearLine(t, none.stderr, /is an encrypted image \(gocryptfs\) and there is no terminal to ask its passphrase on/);
  t.is(await fileHash(target.file), before, 'the target disk is byte-identical');
  await nothingLeftMounted(t);
});

test.serial('verify of an encrypted image finds a flipped byte in an encrypted file, and restore refuses it', async (t) => {
  const { dir, image, passFile, env, source } = shared!;
  const copy = path.join(dir, 'store2', 'pc');
  await mkdir(path.dirname(copy));
  await cp(image, copy, { recursive: true });
  const victim = `${source.disk.name}p3.xfs-ptcl-img.uncomp`;
  const fh = await open(path.join(copy, victim), 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, 100_000);
    b[0] = b[0]! ^ 0x01;
    await fh.write(b, 0, 1, 100_000);
  } finally {
    await fh.close();
  }
  const verify = await lifeboat(['verify', copy, '--passphrase-file', passFile], { env });
  t.is(verify.exitCode, 5, verify.stderr);
  t.regex(verify.stderr, new RegExp(`^lifeboat: image file ${victim.replace(/\./g, '\\.')} is damaged: cannot be read \\(EIO\\)$`, 'm'));
  const { target, before } = await blankDisk('blank2.img');
  const restore = await lifeboat(['restore', copy, target.device, '--yes', '--passphrase-file', passFile], { env });
  t.is(restore.exitCode, 5, restore.stderr);
  t.is(await fileHash(target.file), before, 'nothing was written to the target');
  await nothingLeftMounted(t);
});

test.serial('a stopped encrypted backup (SIGTERM after its first partition): exit 130, no image, no partial folder, no mount', async (t) => {
  const { dir, source, passFile, env } = shared!;
  const store = path.join(dir, 'store3');
  const child = execa('node', [lifeboatBin, 'backup', source.disk.device, path.join(store, 'pc'), '--encrypt', '--passphrase-file', passFile, '--json'], { reject: false, env, stdin: 'ignore' });
  await untilPrinted(child, /"type":"partition-done"/);
  t.not((await gocryptfsMountsUnder(shared!.stores)).length, 0, 'the plaintext view is mounted while the backup runs');
  child.kill('SIGTERM');
  const r = await child;
  t.is(r.exitCode, 130, String(r.stderr));
  t.deepEqual(await readdir(store), [], 'neither the image nor its partial folder is left');
  await nothingLeftMounted(t);
});

test.serial("an encrypted image made by hand as Clonezilla's ocs-sr makes one (no manifest) is listed as Clonezilla's and restored", async (t) => {
  const { dir, env, source } = shared!;
  // A plaintext image without lifeboat.json is what ocs-sr savedisk leaves (zstd, as Clonezilla's default); then
  // Clonezilla's steps (ocs-functions task_gocryptfs_mount_point, put_gocryptfs_tag_file_in_img): gocryptfs -init
  // -plaintextnames, mount -rw, save into the mount, unmount, the marker beside the tree.
  const plain = path.join(dir, 'plainstore', 'pc');
  const backup = await lifeboat(['backup', source.disk.device, plain], { env });
  t.is(backup.exitCode, 0, backup.stderr);
  const cz = path.join(dir, 'czstore', 'cz-img');
  const mnt = path.join(dir, 'czmnt');
  await mkdir(cz, { recursive: true });
  await mkdir(mnt);
  await execa('gocryptfs', ['-init', '-plaintextnames', '-q', cz], { input: 'clonezilla pass' });
  await execa('gocryptfs', ['-rw', '-q', cz, mnt], { input: 'clonezilla pass' });
  try {
    for (const f of await readdir(plain)) if (f !== 'lifeboat.json' && f !== 'lifeboat-config') await cp(path.join(plain, f), path.join(mnt, f));
  } finally {
    await execa('fusermount3', ['-u', mnt]);
  }
  await writeFile(path.join(cz, 'gocryptfs.info'), `# This image was saved with gocryptfs\ndisk_of_img="${source.disk.name}"\nparts_of_img=""\ntime_of_img="2026-1202-0400"\ndisks_size_all_of_img="_839MB"\n`);
  const passFile = path.join(dir, 'cz-pass');
  await writeFile(passFile, 'clonezilla pass\n');

  const images = await lifeboat(['images', path.dirname(cz), '--json'], { env });
  t.like(JSON.parse(images.stdout).images, [{ name: 'cz-img', encrypted: true, origin: 'clonezilla', disk: source.disk.name }]);
  await makeSparse(path.join(dir, 'cz-target.img'), 1000);
  const target = await attach(path.join(dir, 'cz-target.img'));
  attached.push(target);
  const restore = await lifeboat(['restore', cz, target.device, '--yes', '--passphrase-file', passFile], { env });
  t.is(restore.exitCode, 0, restore.stderr);
  await sameDisk(t, source.disk, target);
  await nothingLeftMounted(t);
});

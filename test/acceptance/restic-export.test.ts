// Issue 15, acceptance 4: a backup of the GPT test disk in a local restic repository, exported with `lifeboat export
// restic:REPO#SNAPSHOT DIR`, is a complete folder image in Clonezilla's layout (zstd partclone images, the small
// files, lifeboat.json with the SHA-256 of every piece): `lifeboat verify` passes, Debian's `ocs-sr restoredisk`
// restores it onto a blank loop disk, and so does `lifeboat restore`, with every file, UUID, label and GUID
// identical to the source. An existing folder is refused (exit 4), a wrong password is exit 10, a destination
// without room is exit 6, and a stopped export leaves nothing behind. Real restic, zstd, partclone, Clonezilla (with the shims of test/helpers/clonezilla.ts).
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jsonLines, lifeboat, lifeboatBin, untilPrinted } from '../helpers/cli.js';
import { haveOcsSr, ocsRestoreDisk } from '../helpers/clonezilla.js';
import { fingerprint, makeGptSource, type Fingerprint } from '../helpers/fixtures.js';
import { attach, ext4Disk, makeSparse, scratch, withMount, type LoopDisk } from '../helpers/loop.js';
import { flipByteInLargestPack, privateLeft, testRepository } from '../helpers/restic.js';

/** The disk reproduces the source as fingerprinted: table (ids, GUIDs, types, names), boot code, fs ids, every file, raw data. */
function assertSameDisk(t: ExecutionContext, got: Fingerprint, want: Fingerprint, who: string): void {
  t.deepEqual(got.table, want.table, `${who}: partition table (ids, GUIDs, types, names, starts, sizes)`);
  t.is(got.bootCode, want.bootCode, `${who}: MBR boot code`);
  t.deepEqual(Object.keys(got.partitions), Object.keys(want.partitions), `${who}: the partitions`);
  for (const [node, p] of Object.entries(want.partitions)) {
    t.deepEqual(got.partitions[node]?.blkid, p.blkid, `${who} ${node}: filesystem type, UUID, label, partition entry`);
    t.deepEqual(got.partitions[node]?.files, p.files, `${who} ${node}: every file's content`);
    t.is(got.partitions[node]?.raw, p.raw, `${who} ${node}: raw content`);
  }
}

test.serial('a restic snapshot exported to a folder: lifeboat verify passes, ocs-sr restoredisk and lifeboat restore give identical disks', async (t) => {
  if (!(await haveOcsSr())) t.fail('Clonezilla is not installed: /usr/sbin/ocs-sr is missing (scripts/setup installs the clonezilla and drbl packages)');
  const { dir, attached } = await scratch(t);
  const blank = async (name: string): Promise<LoopDisk> => {
    await makeSparse(path.join(dir, name), 800);
    const d = await attach(path.join(dir, name));
    attached.push(d);
    return d;
  };
  const source = await makeGptSource(path.join(dir, 'source.img'));
  attached.push(source.disk);
  const want = await fingerprint(source.disk);
  const repo = await testRepository(dir);
  const b = await lifeboat(['backup', source.disk.device, repo.uri, ...repo.access, '--json'], { env: repo.env });
  t.is(b.exitCode, 0, b.stderr);
  const snapshot = String(jsonLines(b.stdout).find((e) => e['type'] === 'result')!['image']).split('#')[1]!;

  // The export, into a folder of a "Clonezilla repository" (ocs-sr's -or); the name is unique per run, since ocs-sr
  // restores onto a disk of another name through /tmp/<image>-tmp-cnvted.
  const czRepo = path.join(dir, 'clonezilla');
  await mkdir(czRepo);
  const name = `export-${randomBytes(4).toString('hex')}`;
  const image = path.join(czRepo, name);
  const e = await lifeboat(['export', `${repo.uri}#${snapshot}`, image, ...repo.access, '--json'], { env: repo.env });
  t.is(e.exitCode, 0, e.stderr);
  const events = jsonLines(e.stdout);
  const result = events.find((x) => x['type'] === 'result')!;
  t.is(result['source'], `${repo.uri}#${snapshot}`);
  t.is(result['state'], 'complete');
  t.log(`lifeboat export: ${result['bytes']} bytes in ${Number(result['seconds']).toFixed(1)} s`);
  t.true(events.some((x) => x['type'] === 'progress' && x['job'] === 'export'), 'progress events');
  t.deepEqual(await privateLeft(repo), [], 'no restored small files, password file or staging folder left behind');
  t.deepEqual((await readdir(czRepo)).sort(), [name], 'the image under its name only, no partial folder');

  // Clonezilla's layout: one zstd partclone image per partition, the small files, and the manifest of a local image.
  const s = source.disk.name;
  // Every file with its path below the image (the kept configuration is in lifeboat-config/<partition>/…).
  const files = (await readdir(image, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(image, path.join(e.parentPath, e.name))).sort();
  t.deepEqual(files.filter((f) => f.includes('-ptcl-img')), [`${s}p1.vfat-ptcl-img.zst`, `${s}p2.ext4-ptcl-img.zst`, `${s}p3.xfs-ptcl-img.zst`, `${s}p4.ntfs-ptcl-img.zst`, `${s}p6.dd-ptcl-img.zst`]);
  for (const f of ['disk', 'parts', 'clonezilla-img', 'Info-img-id.txt', 'blkid.list', 'dev-fs.list', `${s}-pt.sf`, `${s}-pt.parted`, `${s}-mbr`, `${s}-gpt-1st`, `${s}-gpt-2nd`, `${s}-gpt.gdisk`, `${s}-gpt.sgdisk`, `swappt-${s}p5.info`, 'lifeboat.json']) t.true(files.includes(f), f);
  const manifest = JSON.parse(await readFile(path.join(image, 'lifeboat.json'), 'utf8'));
  t.is(manifest.state, 'complete');
  t.is(manifest.compression.codec, 'zstd');
  t.deepEqual(Object.keys(manifest.files).sort(), files.filter((f) => f !== 'lifeboat.json'), 'a SHA-256 for every file, none for a stream that is not there');
  t.true(files.includes(`lifeboat-config/${s}p1/esp-files.txt`), "the ESP's kept configuration came along");
  for (const p of manifest.partitions.filter((q: { files?: string[] }) => q.files)) t.deepEqual(p.files.map((f: string) => f.endsWith('.zst')), [true], `${p.name}: its zstd image`);
  const magic = await readFile(path.join(image, `${s}p2.ext4-ptcl-img.zst`));
  t.is(magic.readUInt32LE(0), 0xfd2fb528, 'zstd frames');

  const verify = await lifeboat(['verify', image, '--json']);
  t.is(verify.exitCode, 0, verify.stderr);
  const report = jsonLines(verify.stdout).find((x) => x['type'] === 'result')!;
  t.is(report['origin'], 'lifeboat');
  t.is(report['checkedPartitions'], 5);

  // Clonezilla restores it.
  const czTarget = await blank('cz-target.img');
  const restored = await ocsRestoreDisk(czRepo, name, czTarget.name, { shimLog: path.join(dir, 'shim.log') });
  t.log(`ocs-sr restoredisk ${name} ${czTarget.name}: ${restored.seconds.toFixed(1)} s`);
  assertSameDisk(t, await fingerprint(czTarget), want, 'ocs-sr restoredisk');

  // And Lifeboat.
  const lbTarget = await blank('lb-target.img');
  const r = await lifeboat(['restore', image, lbTarget.device, '--yes']);
  t.is(r.exitCode, 0, r.stderr);
  assertSameDisk(t, await fingerprint(lbTarget), want, 'lifeboat restore');

  // An existing folder is refused (exit 4, as backup's "image exists"), before the repository is opened; it is untouched.
  const again = await lifeboat(['export', `${repo.uri}#${snapshot}`, image, ...repo.access], { env: repo.env });
  t.is(again.exitCode, 4, again.stderr);
  t.regex(again.stderr, /already exists/);
  t.deepEqual((await readdir(image, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(image, path.join(e.parentPath, e.name))).sort(), files);

  // A wrong password is restic's exit 10; a folder that is not a repository exit 5; neither leaves an image.
  const wrong = path.join(dir, 'wrong.password');
  await writeFile(wrong, 'not the password\n', { mode: 0o600 });
  const w = await lifeboat(['export', repo.uri, path.join(czRepo, 'wrong'), '--password-file', wrong], { env: repo.env });
  t.is(w.exitCode, 10, w.stderr);
  const n = await lifeboat(['export', `restic:${czRepo}`, path.join(dir, 'not-a-repo'), ...repo.access], { env: repo.env });
  t.is(n.exitCode, 5, n.stderr);
  t.deepEqual((await readdir(czRepo)).sort(), [name]);
  t.deepEqual(await privateLeft(repo), []);
});

test.serial('a stopped export (SIGTERM mid-stream) exits 130, a damaged pack exit 5; neither leaves an image or a partial folder', async (t) => {
  const { dir, attached } = await scratch(t);
  const source = await makeGptSource(path.join(dir, 'source.img'));
  attached.push(source.disk);
  const repo = await testRepository(dir);
  const b = await lifeboat(['backup', source.disk.device, repo.uri, ...repo.access], { env: repo.env });
  t.is(b.exitCode, 0, b.stderr);
  const out = path.join(dir, 'out');
  await mkdir(out);
  // zstd -19 is slow enough that the job is still streaming when the first progress event arrives.
  const child = execa('node', [lifeboatBin, 'export', repo.uri, path.join(out, 'pc'), ...repo.access, '--level', '19', '--json'], { reject: false, env: repo.env });
  await untilPrinted(child, /"type":"progress"/);
  child.kill('SIGTERM');
  const r = await child;
  t.is(r.exitCode, 130, String(r.stderr));
  t.regex(String(r.stderr), /stopped: export interrupted/);
  t.deepEqual(await readdir(out), [], 'no image, no hidden partial folder');
  t.deepEqual(await privateLeft(repo), []);
  // The repository is not left locked: the next job runs.
  const images = await lifeboat(['images', repo.uri, ...repo.access], { env: repo.env });
  t.is(images.exitCode, 0, images.stderr);

  // A destination with less free space than the backup's streams: exit 6 before the first byte, nothing left on it.
  const small = await ext4Disk(attached, path.join(dir, 'small.img'), { sizeMiB: 8, label: 'SMALL' });
  const full = await lifeboat(['export', repo.uri, `${small.part(1)}:/pc`, ...repo.access], { env: repo.env });
  t.is(full.exitCode, 6, full.stderr);
  t.regex(full.stderr, /^lifeboat: not enough free space at \S+: \d+ bytes free, the export needs up to \d+ bytes$/m);
  t.deepEqual(await withMount(small.part(1), (m) => readdir(m)), ['lost+found']);
  t.deepEqual(await privateLeft(repo), []);

  // One byte flipped in the largest pack (a partition stream's data): restic dump fails, and the export with it.
  await flipByteInLargestPack(repo);
  const damaged = await lifeboat(['export', repo.uri, path.join(out, 'pc'), ...repo.access], { env: repo.env });
  t.is(damaged.exitCode, 5, damaged.stderr);
  t.regex(damaged.stderr, /^lifeboat: the restic repository restic:\S+ is damaged/m);
  t.notRegex(damaged.stderr, /^\s+at /m);
  t.deepEqual(await readdir(out), [], 'no image, no hidden partial folder');
  t.deepEqual(await privateLeft(repo), []);
});

// Issue 16, acceptance 5 (configuration kept readable): a backup of a disk holding a Linux root (this host's own /etc
// and dpkg database copied onto it), a Windows NTFS volume with known registry hive files and an ESP keeps their
// configuration in lifeboat-config/; `lifeboat files` hands it out: the extracted /etc equals the source's (modes,
// owners, links, times, xattrs), each hive comes out byte-identical; a damaged kept file, a path not kept and an
// existing destination each get one line, their exit code, and nothing written. One disk and one image for all.
import test from 'ava';
import { execa } from 'execa';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, symlink, writeFile, open } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { GUID } from '../helpers/fixtures.js';
import { attach, makeSparse, partition, tempDir, withMount, type LoopDisk } from '../helpers/loop.js';
import { treeMeta } from '../helpers/tree-meta.js';

let dir: string;
let image: string;
let src: LoopDisk;
let hives: Record<string, Buffer>;
let backupErr = '';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A registry hive file as Windows writes one: the regf header block, then hbin data (random here: the copy must be byte-exact). */
function hive(seed: string, bytes: number): Buffer {
  const b = randomBytes(bytes);
  b.write('regf', 0, 'latin1');
  b.write(seed, 48, 'utf16le');
  return b;
}

test.before(async () => {
  dir = await tempDir();
  const file = path.join(dir, 'source.img');
  await makeSparse(file, 320);
  await partition(file, `label: gpt\nsize=40M, type=${GUID.esp}, name="EFI system"\nsize=150M, type=${GUID.linux}, name="root"\nsize=100M, type=${GUID.msdata}, name="windows"\n`);
  src = await attach(file);
  const env = { MTOOLS_SKIP_CHECK: '1' };
  await execa('mkfs.vfat', ['-F', '32', '-n', 'ESP', src.part(1)]);
  await execa('mmd', ['-i', src.part(1), '::/EFI', '::/EFI/debian', '::/EFI/Microsoft', '::/EFI/Microsoft/Boot'], { env });
  await writeFile(path.join(dir, 'grub.cfg'), "search.fs_uuid 1234 root\nset prefix=($root)'/boot/grub'\nconfigfile $prefix/grub.cfg\n");
  await execa('mcopy', ['-i', src.part(1), path.join(dir, 'grub.cfg'), '::/EFI/debian/grub.cfg'], { env });
  hives = { bcd: hive('BCD', 32 * 1024) };
  await writeFile(path.join(dir, 'BCD'), hives['bcd']!);
  await execa('mcopy', ['-i', src.part(1), path.join(dir, 'BCD'), '::/EFI/Microsoft/Boot/BCD'], { env });
  // The Linux root: this host's /etc (a real one: links, modes, owners, ACLs where it has them) and dpkg database,
  // os-release a link to ../usr/lib/os-release as on Debian, a grub.cfg under /boot.
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'root', src.part(2)]);
  await withMount(src.part(2), async (d) => {
    await execa('cp', ['-a', '/etc', d]);
    await mkdir(path.join(d, 'var/lib'), { recursive: true });
    await execa('cp', ['-a', '/var/lib/dpkg', path.join(d, 'var/lib/dpkg')]);
    await mkdir(path.join(d, 'usr/lib'), { recursive: true });
    await rm(path.join(d, 'etc/os-release'), { force: true });
    await writeFile(path.join(d, 'usr/lib/os-release'), 'PRETTY_NAME="Lifeboat Test Linux 1"\nNAME="Lifeboat Test"\nID=debian\n');
    await symlink('../usr/lib/os-release', path.join(d, 'etc/os-release'));
    // A link that points out of the system: it must never bring the rescue host's own file into the image.
    await symlink('/etc/machine-id-of-host', path.join(d, 'etc/absolute-link'));
    await writeFile(path.join(d, 'etc/fstab'), 'UUID=1111 / ext4 errors=remount-ro 0 1\n');
    await mkdir(path.join(d, 'boot/grub'), { recursive: true });
    await writeFile(path.join(d, 'boot/grub/grub.cfg'), 'menuentry "Lifeboat Test Linux" { linux /vmlinuz root=UUID=1111 }\n');
  });
  // Windows: the machine hives, two users' NTUSER.DAT (one spelled in lower case, as NTFS may hold it).
  await execa('mkntfs', ['-Q', '-q', '-F', '-L', 'win', src.part(3)]);
  hives = { ...hives, SYSTEM: hive('SYSTEM', 3 * 1024 * 1024 + 4096), SOFTWARE: hive('SOFTWARE', 5 * 1024 * 1024), SAM: hive('SAM', 64 * 1024), SECURITY: hive('SECURITY', 32 * 1024), DEFAULT: hive('DEFAULT', 256 * 1024), alice: hive('alice', 768 * 1024), bob: hive('bob', 512 * 1024) };
  await withMount(
    src.part(3),
    async (d) => {
      const config = path.join(d, 'Windows/System32/config');
      await mkdir(config, { recursive: true });
      for (const h of ['SYSTEM', 'SOFTWARE', 'SAM', 'SECURITY', 'DEFAULT']) await writeFile(path.join(config, h), hives[h]!);
      await writeFile(path.join(config, 'SYSTEM.LOG1'), 'not kept');
      await mkdir(path.join(d, 'Users/alice'), { recursive: true });
      await mkdir(path.join(d, 'Users/bob'), { recursive: true });
      await writeFile(path.join(d, 'Users/alice/NTUSER.DAT'), hives['alice']!);
      await writeFile(path.join(d, 'Users/bob/ntuser.dat'), hives['bob']!);
    },
    ['-t', 'ntfs-3g'],
  );
  image = path.join(dir, 'image');
  const r = await lifeboat(['backup', src.device, image]);
  backupErr = r.stderr;
  if (r.exitCode !== 0) throw new Error(r.stderr);
});

test.after.always(async () => {
  await src?.detach();
  await rm(dir, { recursive: true, force: true });
});

const p = (n: number) => `${src.name}p${n}`;

test("the image keeps each system's configuration, listed and hashed in the manifest; verify checks it", async (t) => {
  const m = JSON.parse(await readFile(path.join(image, 'lifeboat.json'), 'utf8'));
  t.deepEqual(
    m.config.map((c: { source: string; kind: string; system?: string }) => [c.source, c.kind, c.system]),
    [
      [p(1), 'esp', undefined],
      [p(2), 'linux', 'Lifeboat Test Linux 1'],
      [p(3), 'windows', 'Windows'],
    ],
  );
  const linux = m.config[1];
  for (const f of ['etc.tar', 'packages-dpkg.txt', 'etc/fstab', 'etc/os-release', 'boot/grub/grub.cfg']) t.true(linux.files.includes(f), f);
  t.deepEqual(m.config[2].files, ['Users/alice/NTUSER.DAT', 'Users/bob/ntuser.dat', ...['DEFAULT', 'SAM', 'SECURITY', 'SOFTWARE', 'SYSTEM'].map((h) => `Windows/System32/config/${h}`)]);
  t.deepEqual(m.config[0].files, ['EFI/Microsoft/Boot/BCD', 'EFI/debian/grub.cfg', 'esp-files.txt']);
  for (const c of m.config) for (const f of c.files) t.truthy(m.files[`${c.folder}/${f}`], `${c.folder}/${f} hashed`);
  // Readable in the image folder itself, without Lifeboat.
  t.is(await readFile(path.join(image, 'lifeboat-config', p(2), 'etc/os-release'), 'utf8'), 'PRETTY_NAME="Lifeboat Test Linux 1"\nNAME="Lifeboat Test"\nID=debian\n');
  t.regex(backupErr, /keeping the systems' configuration/);
  const v = await lifeboat(['verify', image]);
  t.is(v.exitCode, 0, v.stderr);
  const listed = await lifeboat(['files', image]);
  t.is(listed.exitCode, 0, listed.stderr);
  t.regex(listed.stdout, new RegExp(`${p(2)}  linux  Lifeboat Test Linux 1`));
  t.regex(listed.stdout, new RegExp(`${p(3)}/Windows/System32/config/SYSTEM\\s+3\\.0 MiB`));
});

test("the /etc extracted from the image equals the source's; the package list is dpkg's", async (t) => {
  const out = path.join(dir, 'out-etc');
  const r = await lifeboat(['files', image, `${p(2)}/etc.tar`, `${p(2)}/etc/ssh/sshd_config`, `${p(2)}/packages-dpkg.txt`, '--out', out]);
  t.is(r.exitCode, 0, r.stderr);
  const x = path.join(dir, 'etc-x');
  await mkdir(x);
  await execa('tar', ['-xf', path.join(out, p(2), 'etc.tar'), '--numeric-owner', '--same-permissions', '--xattrs', '--acls', '-C', x]);
  const source = await withMount(src.part(2), (d) => treeMeta(path.join(d, 'etc')), ['-o', 'ro,noload']);
  const extracted = await treeMeta(path.join(x, 'etc'));
  t.deepEqual(extracted.entries, source.entries);
  t.is(extracted.xattrs, source.xattrs);
  t.is(extracted.acls, source.acls);
  t.is((extracted.entries['absolute-link'] ?? '').replace(/.* -> /, ''), '/etc/machine-id-of-host');
  t.is(sha(await readFile(path.join(out, p(2), 'etc/ssh/sshd_config'))), sha(await readFile('/etc/ssh/sshd_config')));
  const pkgs = (await readFile(path.join(out, p(2), 'packages-dpkg.txt'), 'utf8')).split('\n').filter(Boolean).map((l) => l.split(/\s+/)[1]!.replace(/:.*/, ''));
  const host = (await execa('dpkg-query', ['-W', '-f', '${db:Status-Abbrev} ${Package}\\n'])).stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[1]!);
  t.deepEqual(pkgs.sort(), host.sort());
  t.true(pkgs.includes('dpkg') && pkgs.includes('tar'));
});

test('each registry hive comes out byte-identical; so do the ESP boot files', async (t) => {
  const out = path.join(dir, 'out-hives');
  const asked = [...['SYSTEM', 'SOFTWARE', 'SAM', 'SECURITY', 'DEFAULT'].map((h) => `${p(3)}/Windows/System32/config/${h}`), `${p(3)}/Users/alice/NTUSER.DAT`, `${p(3)}/Users/bob/ntuser.dat`, `${p(1)}/EFI/Microsoft/Boot/BCD`, `${p(1)}/EFI/debian/grub.cfg`];
  const r = await lifeboat(['files', image, ...asked, '--out', out]);
  t.is(r.exitCode, 0, r.stderr);
  for (const h of ['SYSTEM', 'SOFTWARE', 'SAM', 'SECURITY', 'DEFAULT']) t.is(sha(await readFile(path.join(out, p(3), 'Windows/System32/config', h))), sha(hives[h]!), h);
  t.is(sha(await readFile(path.join(out, p(3), 'Users/alice/NTUSER.DAT'))), sha(hives['alice']!));
  t.is(sha(await readFile(path.join(out, p(3), 'Users/bob/ntuser.dat'))), sha(hives['bob']!));
  t.is(sha(await readFile(path.join(out, p(1), 'EFI/Microsoft/Boot/BCD'))), sha(hives['bcd']!));
  t.is(await readFile(path.join(out, p(1), 'EFI/debian/grub.cfg'), 'utf8'), await readFile(path.join(dir, 'grub.cfg'), 'utf8'));
  t.regex(await readFile(path.join(image, 'lifeboat-config', p(1), 'esp-files.txt'), 'utf8'), /^\/EFI\/debian\/grub\.cfg$/m);
});

test('a path not kept is exit 3, an existing destination exit 4, a damaged kept file exit 5: one line each, nothing written', async (t) => {
  const out = path.join(dir, 'out-bad');
  await mkdir(out);
  const missing = await lifeboat(['files', image, `${p(2)}/etc/fstab`, `${p(3)}/Windows/notepad.exe`, '--out', out]);
  t.is(missing.exitCode, 3, missing.stderr);
  t.regex(missing.stderr, /Windows\/notepad\.exe: not kept in /);
  const inEtc = await lifeboat(['files', image, `${p(2)}/etc/no-such-file`, '--out', out]);
  t.is(inEtc.exitCode, 3, inEtc.stderr);
  t.deepEqual(await readdir(out), []);
  await mkdir(path.join(out, p(2), 'etc'), { recursive: true });
  await writeFile(path.join(out, p(2), 'etc/fstab'), 'mine\n');
  const there = await lifeboat(['files', image, `${p(2)}/etc/os-release`, `${p(2)}/etc/fstab`, '--out', out]);
  t.is(there.exitCode, 4, there.stderr);
  t.regex(there.stderr, /etc\/fstab already exists: nothing was written/);
  t.is(await readFile(path.join(out, p(2), 'etc/fstab'), 'utf8'), 'mine\n');
  t.deepEqual(await readdir(path.join(out, p(2), 'etc')), ['fstab']);
  // A copy of the image with one byte of a kept hive flipped.
  const bad = path.join(dir, 'image-bad');
  await execa('cp', ['-a', image, bad]);
  const h = await open(path.join(bad, 'lifeboat-config', p(3), 'Windows/System32/config/SAM'), 'r+');
  const b = Buffer.alloc(1);
  await h.read(b, 0, 1, 5000);
  b[0] = b[0]! ^ 0xff;
  await h.write(b, 0, 1, 5000);
  await h.close();
  const out2 = path.join(dir, 'out-damaged');
  const damaged = await lifeboat(['files', bad, `${p(3)}/Windows/System32/config/SYSTEM`, `${p(3)}/Windows/System32/config/SAM`, '--out', out2]);
  t.is(damaged.exitCode, 5, damaged.stderr);
  t.regex(damaged.stderr, /Windows\/System32\/config\/SAM is damaged in the image/);
  t.deepEqual(await readdir(out2), []);
  t.is(damaged.stderr.trim().split('\n').filter((l) => !l.startsWith('  ')).length, 1, damaged.stderr);
});

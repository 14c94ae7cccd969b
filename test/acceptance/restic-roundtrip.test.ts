// Issue 15, acceptance 1: three backups of the GPT test disk into a local restic repository, about 1% of the files
// changed between them (added, removed, rewritten); each snapshot restores onto a blank disk with every file, UUID,
// label and GUID identical to the disk as it was at that backup. The later backups add far less than the first.
import test from 'ava';
import path from 'node:path';
import { jsonLines, lifeboat } from '../helpers/cli.js';
import { fingerprint, makeGptSource, type Fingerprint } from '../helpers/fixtures.js';
import { attach, makeSparse, scratch } from '../helpers/loop.js';
import { changeOnePercent, privateLeft, testRepository } from '../helpers/restic.js';

test.serial('three backups into restic:PATH, ~1% changed between them: each snapshot restores the disk as it was then', async (t) => {
  const { dir, attached } = await scratch(t);
  const source = await makeGptSource(path.join(dir, 'source.img'));
  attached.push(source.disk);
  const repo = await testRepository(dir);
  const saved: Array<{ snapshot: string; added: number; print: Fingerprint }> = [];
  for (let round = 0; round < 3; round++) {
    if (round > 0) await changeOnePercent(source.disk, round);
    const b = await lifeboat(['backup', source.disk.device, repo.uri, ...repo.access, '--json'], { env: repo.env });
    t.is(b.exitCode, 0, b.stderr);
    const result = jsonLines(b.stdout).find((e) => e['type'] === 'result')!;
    const snapshot = String(result['image']).split('#')[1]!;
    t.regex(snapshot, /^[0-9a-f]{8}$/);
    t.is(typeof result['addedBytes'], 'number');
    saved.push({ snapshot, added: result['addedBytes'] as number, print: await fingerprint(source.disk) });
  }
  t.deepEqual(await privateLeft(repo), [], 'no mount, staging folder or password file left behind');
  // Incremental: the later backups store only the chunks that changed. On this small fixture (about 80 MB of data)
  // 1% of the files still touches about 60% of the chunks: restic's chunks average 1 MiB, and the ext4 journal and
  // the xfs log (which partclone copies as used blocks) are rewritten by every mount that changes files.
  t.log(`data added: ${saved.map((s) => s.added).join(', ')} bytes`);
  for (const later of saved.slice(1)) t.true(later.added < saved[0]!.added * 0.7, `a later backup adds ${later.added} bytes, the first ${saved[0]!.added}`);

  const images = await lifeboat(['images', repo.uri, ...repo.access, '--json'], { env: repo.env });
  t.is(images.exitCode, 0, images.stderr);
  const listed = JSON.parse(images.stdout).images as Array<{ name: string; identity: string; sizeBytes: number; addedBytes: number; time: string }>;
  t.deepEqual(listed.map((i) => i.name), saved.map((s) => s.snapshot).reverse(), 'newest first');
  t.is(new Set(listed.map((i) => i.identity)).size, 1, 'one disk identity');
  for (const i of listed) t.true(i.sizeBytes > 0);

  for (const [n, s] of saved.entries()) {
    await makeSparse(path.join(dir, `target${n}.img`), 800);
    const target = await attach(path.join(dir, `target${n}.img`));
    attached.push(target);
    const r = await lifeboat(['restore', `${repo.uri}#${s.snapshot}`, target.device, ...repo.access, '--yes'], { env: repo.env });
    t.is(r.exitCode, 0, r.stderr);
    t.regex(r.stdout, new RegExp(`#${s.snapshot}`));
    const got = await fingerprint(target);
    t.deepEqual(got.table, s.print.table, `backup ${n + 1}: the table (ids, GUIDs, types, names)`);
    t.is(got.bootCode, s.print.bootCode, `backup ${n + 1}: the boot code`);
    for (const [node, p] of Object.entries(s.print.partitions)) {
      t.deepEqual(got.partitions[node]?.blkid, p.blkid, `backup ${n + 1} ${node}: filesystem type, UUID, label`);
      t.deepEqual(got.partitions[node]?.files, p.files, `backup ${n + 1} ${node}: every file as it was at that backup`);
      t.is(got.partitions[node]?.raw, p.raw, `backup ${n + 1} ${node}: raw content`);
    }
  }
  // The default is the newest backup (one disk in the repository); verify checks the repository and the image.
  const verify = await lifeboat(['verify', repo.uri, ...repo.access], { env: repo.env });
  t.is(verify.exitCode, 0, verify.stderr);
  t.regex(verify.stdout, new RegExp(`#${saved[2]!.snapshot}: OK \\(repository checked`));
  t.deepEqual(await privateLeft(repo), []);
});

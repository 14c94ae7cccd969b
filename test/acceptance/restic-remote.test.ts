// Issue 15, acceptance 2: the repository over SFTP (the test's own sshd on 127.0.0.1, key only, the host key pinned)
// and over restic's REST protocol (a real REST server: `rclone serve restic` on 127.0.0.1): two backups of the GPT
// disk with ~1% changed between them, and the older snapshot restored onto a blank disk identical to the disk then.
import test from 'ava';
import { execa } from 'execa';
import path from 'node:path';
import { jsonLines, lifeboat } from '../helpers/cli.js';
import { fingerprint, makeGptSource, type Fingerprint } from '../helpers/fixtures.js';
import { attach, makeSparse, scratch } from '../helpers/loop.js';
import { changeOnePercent, privateLeft, testRepository } from '../helpers/restic.js';
import { freePort, startSshd } from '../helpers/sshd.js';

async function twoBackupsAndRestore(t: import('ava').ExecutionContext, dir: string, attached: Awaited<ReturnType<typeof scratch>>['attached'], uri: string, access: string[]) {
  const local = await testRepository(dir, 'local');
  const env = local.env;
  const source = await makeGptSource(path.join(dir, 'source.img'));
  attached.push(source.disk);
  const saved: Array<{ snapshot: string; added: number; print: Fingerprint }> = [];
  for (let round = 0; round < 2; round++) {
    if (round > 0) await changeOnePercent(source.disk, round);
    const b = await lifeboat(['backup', source.disk.device, uri, ...access, '--json'], { env });
    t.is(b.exitCode, 0, b.stderr);
    const result = jsonLines(b.stdout).find((e) => e['type'] === 'result')!;
    saved.push({ snapshot: String(result['image']).split('#')[1]!, added: result['addedBytes'] as number, print: await fingerprint(source.disk) });
  }
  t.log(`data added: ${saved.map((s) => s.added).join(', ')} bytes`);
  t.true(saved[1]!.added < saved[0]!.added * 0.7, 'the second backup stores only what changed');
  const images = await lifeboat(['images', uri, ...access, '--json'], { env });
  t.is(images.exitCode, 0, images.stderr);
  t.deepEqual((JSON.parse(images.stdout).images as Array<{ name: string }>).map((i) => i.name), [saved[1]!.snapshot, saved[0]!.snapshot]);
  await makeSparse(path.join(dir, 'target.img'), 800);
  const target = await attach(path.join(dir, 'target.img'));
  attached.push(target);
  const r = await lifeboat(['restore', `${uri}#${saved[0]!.snapshot}`, target.device, ...access, '--yes'], { env });
  t.is(r.exitCode, 0, r.stderr);
  const got = await fingerprint(target);
  const want = saved[0]!.print;
  t.deepEqual(got.table, want.table);
  t.is(got.bootCode, want.bootCode);
  t.deepEqual(got.partitions, want.partitions, 'every file, UUID, label and GUID as at the first backup');
  t.deepEqual(await privateLeft(local), []);
}

test.serial('over SFTP: restic:sftp://root@127.0.0.1:PORT//path with the key and the pinned host key', async (t) => {
  const { dir, attached } = await scratch(t);
  const sshd = await startSshd(t);
  const pw = await testRepository(dir, 'pw');
  const uri = `restic:sftp://root@127.0.0.1:${sshd.port}/${sshd.storeDir}/repo`;
  await twoBackupsAndRestore(t, dir, attached, uri, ['--ssh-key', sshd.clientKey, '--known-hosts', sshd.knownHosts, ...pw.access]);
  // The repository is on the server's folder, encrypted: no file of the disk is readable there.
  const listing = (await execa('find', [path.join(sshd.storeDir, 'repo'), '-maxdepth', '1'])).stdout;
  t.regex(listing, /\/repo\/config$/m);
  t.regex(listing, /\/repo\/data$/m);
  // An unpinned host key is refused (ssh's StrictHostKeyChecking through restic's sftp.command): nothing trusted on first use.
  const unpinned = await lifeboat(['images', uri, '--ssh-key', sshd.clientKey, '--known-hosts', path.join(dir, 'empty_known_hosts'), ...pw.access]);
  t.not(unpinned.exitCode, 0);
  t.regex(unpinned.stderr, /^lifeboat: /m);
});

test.serial('over REST: restic:rest:http://127.0.0.1:PORT/ served by rclone serve restic', async (t) => {
  const { dir, attached } = await scratch(t);
  const pw = await testRepository(dir, 'pw');
  const port = await freePort();
  const server = execa('rclone', ['serve', 'restic', '--addr', `127.0.0.1:${port}`, path.join(dir, 'served')], { reject: false });
  t.teardown(() => void server.kill('SIGTERM'));
  await new Promise<void>((resolve, reject) => {
    let text = '';
    server.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      if (/Serving restic REST API/.test(text)) resolve();
    });
    void server.then(() => reject(new Error(`rclone ended: ${text}`)));
  });
  await twoBackupsAndRestore(t, dir, attached, `restic:rest:http://127.0.0.1:${port}/`, pw.access);
  server.kill('SIGTERM');
  await server;
  const gone = await lifeboat(['images', `restic:rest:http://127.0.0.1:${port}/`, ...pw.access]);
  t.is(gone.exitCode, 7, gone.stderr);
  t.regex(gone.stderr, /^lifeboat: cannot reach the restic repository restic:rest:http:\/\/127\.0\.0\.1:\d+\//m);
});

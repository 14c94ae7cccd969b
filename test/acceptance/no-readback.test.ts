// Acceptance 6: during a backup no image byte is read back from the store (the SHA-256 is taken in the stream).
import test from 'ava';
import { execa } from 'execa';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { lifeboat } from '../helpers/cli.js';
import { makeGptSource } from '../helpers/fixtures.js';
import { tempDir, type LoopDisk } from '../helpers/loop.js';

const imageFile = /-ptcl-img\./;

/**
 * The kernel watches the store (inotify, recursive: the partial image's folder is watched from its creation on, well
 * before the first partition image is opened): every open and every read of a file below it is an event, whoever
 * (node, zstd, partclone) did it. A backup must open each partition image (the watch works) and never read one.
 */
for (const [title, args] of [
  ['one file per partition (the compressor writes through Node, which hashes)', []],
  ['split into pieces', ['--split', '1M']],
] as const) {
  test.serial(`backup reads no image byte back from the store: ${title}`, async (t) => {
    const dir = await tempDir();
    const attached: LoopDisk[] = [];
    let watcher: ReturnType<typeof execa> | undefined;
    t.teardown(async () => {
      if (watcher?.pid !== undefined && watcher.exitCode === null) watcher.kill('SIGTERM');
      await watcher?.catch(() => undefined);
      for (const d of attached) await d.detach();
      await rm(dir, { recursive: true, force: true });
    });
    const source = await makeGptSource(path.join(dir, 'source.img'));
    attached.push(source.disk);
    const store = path.join(dir, 'store');
    await mkdir(store);
    watcher = execa('inotifywait', ['-m', '-r', '-e', 'open,access', '--format', '%e %w%f', store], { reject: false, buffer: true });
    // Wait on the condition, not a time: inotifywait says so on stderr once its watches are in place.
    await new Promise<void>((resolve, reject) => {
      let err = '';
      watcher!.stderr!.on('data', (c: Buffer) => {
        err += c.toString();
        if (/Watches established/.test(err)) resolve();
      });
      void watcher!.then(() => reject(new Error(`inotifywait ended: ${err}`)));
    });
    const backup = await lifeboat(['backup', source.disk.device, path.join(store, 'image'), '--json', ...args]);
    t.is(backup.exitCode, 0, backup.stderr);
    watcher.kill('SIGTERM');
    const { stdout } = await watcher;
    const events = String(stdout)
      .split('\n')
      .filter((l) => imageFile.test(l));
    const opened = events.filter((l) => /^OPEN/.test(l));
    const reads = events.filter((l) => /ACCESS/.test(l));
    t.true(opened.length >= 3, `the watch saw the partition images opened (${opened.length} opens)`);
    t.deepEqual(reads, [], 'no read of an image file during the backup');
  });
}

// Writing an encrypted image: the store's own partial folder becomes a gocryptfs tree (Clonezilla's -init options),
// the backup writes plaintext into its mounted view, and publishing unmounts it, puts Clonezilla's gocryptfs.info
// beside the tree and only then lets the store give the image its name. An abort unmounts and removes the partial.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Runner } from '../../core/runner/run.js';
import type { ImageWriter } from '../store/store.js';
import { formatGocryptfsInfo, gocryptfsInfoFile, gocryptfsInfoOf } from './clonezilla-info.js';
import { initCipherDir, openPlaintextView } from './gocryptfs.js';

/** Wraps the store's writer of an image: what is written through the result lands encrypted in the store. */
export async function encryptedImageWriter(runner: Runner, inner: ImageWriter, passphrase: string, what: string): Promise<ImageWriter> {
  let view: Awaited<ReturnType<typeof openPlaintextView>>;
  try {
    await initCipherDir(runner, inner.partialDir, passphrase);
    view = await openPlaintextView(runner, inner.partialDir, passphrase, 'rw', what);
  } catch (e) {
    await inner.abort();
    throw e;
  }
  const plain = view.dir;
  let published = false;
  return {
    name: inner.name,
    partialDir: plain,
    writeFile: async (file, data) => {
      await mkdir(path.dirname(path.join(plain, file)), { recursive: true });
      await writeFile(path.join(plain, file), data);
    },
    createWriteStream: async (file): Promise<Writable> => createWriteStream(path.join(plain, file), { flags: 'wx' }),
    async publish() {
      // Read before the unmount, as Clonezilla's get_gocryptfs_info does; every file is closed by now.
      const info = formatGocryptfsInfo(await gocryptfsInfoOf(plain));
      if (!(await view.release())) throw new Error(`the encrypted view ${plain} of ${what} could not be unmounted`);
      await inner.writeFile(gocryptfsInfoFile, info);
      await inner.publish();
      published = true;
    },
    async abort() {
      await view.release();
      if (!published) await inner.abort();
    },
  };
}

// lifeboat images STORE: the images on a store (a folder, a partition, ssh://…), with name, time, disk, size and
// whether each is complete.
import type { CommandModule } from 'yargs';
import { imagesJob } from '../../imager/jobs/images.js';
import { parseStoreRef } from '../../imager/store/open.js';
import { bytes } from '../../core/format.js';
import { printable } from '../../core/printable.js';
import { makeContext } from '../context.js';
import { storeAccessFor, withStoreAccessOptions } from '../store-access.js';

interface Args {
  store: string;
  json: boolean;
  sshKey: string | undefined;
  passwordFile?: string | undefined;
  knownHosts: string | undefined;
}

export const imagesCommand: CommandModule<object, Args> = {
  command: 'images <store>',
  describe: 'List the images on a store: a folder, a partition (/dev/sdb1, LABEL=NAME:/folder), ssh://user@host[:port]/path, or a restic repository (snapshots newest first, with the data each added)',
  builder: (y) => withStoreAccessOptions(y.positional('store', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false, describe: 'Print JSON' })) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const images = await imagesJob(ctx.runner, { store: parseStoreRef(argv.store, await storeAccessFor(argv, [argv.store], 'read')) });
    const repository = images.some((i) => i.identity !== undefined);
    const lines = !images.length
      ? [`no images on ${argv.store}`]
      : repository
        ? images.map((i) => `${i.name.padEnd(10)} ${(i.time ?? '-').replace(/\.\d+Z$/, 'Z').padEnd(21)} ${(i.disk ?? '-').padEnd(8)} ${bytes(i.sizeBytes).padStart(9)}  added ${i.addedBytes !== undefined ? bytes(i.addedBytes) : '-'}  ${i.identity}`)
        : images.map((i) => `${i.name.padEnd(28)} ${(i.time ?? '-').padEnd(24)} ${(i.disk ?? '-').padEnd(8)} ${bytes(i.sizeBytes).padStart(9)}  ${i.state === 'unknown' ? 'Clonezilla image' : i.state === 'encrypted' ? 'encrypted (gocryptfs)' : i.state}`);
    ctx.out.result({ type: 'result', store: argv.store, images }, lines.map((l) => printable(l, { max: 1000 })));
  },
};

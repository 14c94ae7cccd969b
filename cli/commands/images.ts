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
  describe: 'List the images on a store: a folder, a partition (/dev/sdb1, LABEL=NAME:/folder) or ssh://user@host[:port]/path',
  builder: (y) => withStoreAccessOptions(y.positional('store', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false, describe: 'Print JSON' })) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const images = await imagesJob(ctx.runner, { store: parseStoreRef(argv.store, await storeAccessFor(argv, [argv.store], 'read')) });
    const lines = images.length
      ? images.map((i) => `${i.name.padEnd(28)} ${(i.time ?? '-').padEnd(24)} ${(i.disk ?? '-').padEnd(8)} ${bytes(i.sizeBytes).padStart(9)}  ${i.state === 'unknown' ? 'Clonezilla image' : i.state}`)
      : [`no images on ${argv.store}`];
    ctx.out.result({ type: 'result', store: argv.store, images }, lines.map((l) => printable(l, { max: 1000 })));
  },
};

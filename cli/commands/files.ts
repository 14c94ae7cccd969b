// lifeboat files IMAGE [PATH…] [--out DIR]: what an image keeps of its systems' configuration, or those files
// handed out (checked against the manifest) without a restore.
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { bytes } from '../../core/format.js';
import { printable } from '../../core/printable.js';
import { storeOfImagePath } from '../../imager/jobs/image-path.js';
import { filesJob } from '../../imager/jobs/files.js';
import { makeContext } from '../context.js';
import { storeAccessFor, withStoreAccessOptions } from '../store-access.js';
import { existingPassphrase, withPassphraseOptions } from '../passphrase.js';

export const filesCommand: CommandModule<object, { image: string; paths: string[] | undefined; out: string; json: boolean; sshKey: string | undefined; knownHosts: string | undefined; passphraseFile: string | undefined; passwordFile?: string | undefined }> = {
  command: 'files <image> [paths..]',
  describe: "List the systems' configuration an image keeps (/etc, packages, boot loader, registry hives), or extract files of it",
  builder: (y) =>
    withPassphraseOptions(
      withStoreAccessOptions(
        y
          .positional('image', { type: 'string', demandOption: true, describe: 'Image directory, ssh://user@host[:port]/path/name, or restic:REPO[#SNAPSHOT]' })
          .positional('paths', { type: 'string', array: true, describe: 'Files as the listing names them: SOURCE/PATH, e.g. sda2/etc/fstab or sda3/Windows/System32/config/SYSTEM (any file under etc/ comes from the kept archive)' })
          .option('out', { type: 'string', default: '.', describe: 'Folder to write them into, each under its SOURCE/PATH; an existing file is never replaced' })
          .option('json', { type: 'boolean', default: false }),
      ),
    ) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const paths = argv.paths ?? [];
    const r = await filesJob(ctx.runner, { ...storeOfImagePath(argv.image, await storeAccessFor(argv, [argv.image], 'read')), paths, outDir: path.resolve(argv.out), passphrase: existingPassphrase(argv.passphraseFile, ctx.signal) });
    if (paths.length > 0) {
      ctx.out.result({ type: 'result', image: r.listing.image, written: r.written }, r.written.map((w) => `wrote ${printable(w, { max: 1000 })}`));
      return;
    }
    const l = r.listing;
    const lines =
      l.systems.length === 0
        ? [`${l.image}: keeps no configuration (its disk holds no Linux, Windows or EFI system Lifeboat recognised, or it was made before Lifeboat kept it)`]
        : [
            `${l.image}: configuration kept of ${l.systems.length} filesystem${l.systems.length === 1 ? '' : 's'}`,
            ...l.systems.flatMap((s) => [
              `  ${s.key}  ${s.kind}${s.system ? `  ${s.system}` : ''}`,
              ...l.files.filter((f) => f.source === s.source).map((f) => `    ${f.path.padEnd(48)} ${bytes(f.bytes)}${f.path.endsWith('/etc.tar') ? `  (any ${s.key}/etc/… comes out of it)` : ''}`),
            ]),
          ];
    ctx.out.result({ type: 'result', ...l }, lines.map((x) => printable(x, { max: 1000 })));
  },
};

// lifeboat verify IMAGE_DIR: every checksum and every partition image; names the broken file.
import type { CommandModule } from 'yargs';
import { storeOfImagePath } from '../../imager/jobs/image-path.js';
import { verifyJob } from '../../imager/jobs/verify.js';
import { failOn } from '../../imager/verify/verify.js';
import { makeContext } from '../context.js';
import { storeAccessFor, withStoreAccessOptions } from '../store-access.js';
import { existingPassphrase, withPassphraseOptions } from '../passphrase.js';

export const verifyCommand: CommandModule<object, { image: string; json: boolean; sshKey: string | undefined; knownHosts: string | undefined; passphraseFile: string | undefined; passwordFile?: string | undefined; readData: boolean }> = {
  command: 'verify <image>',
  describe: 'Check an image: SHA-256 of every file (Lifeboat images) and partclone.chkimg of every partition',
  builder: (y) => withPassphraseOptions(withStoreAccessOptions(y.positional('image', { type: 'string', demandOption: true, describe: 'Image directory, ssh://user@host[:port]/path/name, or restic:REPO[#SNAPSHOT]' }).option('json', { type: 'boolean', default: false }).option('read-data', { type: 'boolean', default: false, describe: 'restic: repositories: restic check reads every pack of the repository, not only its structure' }))) as never,
  handler: async (argv) => {
    const ctx = makeContext(argv.json);
    const report = await verifyJob(ctx.runner, { ...storeOfImagePath(argv.image, await storeAccessFor(argv, [argv.image], 'read')), readData: argv.readData, passphrase: existingPassphrase(argv.passphraseFile, ctx.signal), onEvent: (e) => ctx.out.event(e), signal: ctx.signal });
    if (!report.ok) {
      if (ctx.json) ctx.out.result({ type: 'result', ...report }, []);
      failOn(report.problems);
    }
    const withUnreadable = report.unreadable !== undefined;
    const store = report.store ? `repository checked${argv.readData ? ' (all data read)' : ''}; ` : '';
    ctx.out.result({ type: 'result', ...report }, [
      `${report.image}: OK${withUnreadable ? ', complete with unreadable sectors' : ''} (${store}${report.origin} image${report.encrypted ? ', encrypted' : ''}; ${report.checkedFiles} checksums, ${report.checkedPartitions} partition images checked in ${report.seconds.toFixed(1)} s)`,
      ...(report.unreadable ?? []).map((l) => `  ${l}: those sectors hold partclone's BADSECTOR filler, not the disk's data`),
    ]);
  },
};

// Lifeboat's own version and the versions of the tools an image was made with.
import { readFileSync } from 'node:fs';
import type { Runner } from '../core/runner/run.js';

export const lifeboatVersion: string = (() => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      /* try the next place: sources run from imager/, builds from dist/imager/ */
    }
  }
  return 'unknown';
})();

const toolPackages = ['partclone', 'zstd', 'pigz', 'xz-utils', 'fdisk', 'gdisk', 'util-linux'];

/** Debian package versions of the imaging tools (dpkg knows them on Debian hosts and on the live system). */
export async function toolVersions(runner: Runner): Promise<Record<string, string>> {
  const out: Record<string, string> = { node: process.versions.node, lifeboat: lifeboatVersion };
  try {
    const { stdout } = await runner.run('dpkg-query', ['-W', '-f=${Package} ${Version}\\n', ...toolPackages], { okExitCodes: [1] });
    for (const line of stdout.split('\n')) {
      const [name, version] = line.split(' ');
      if (name && version) out[name] = version;
    }
  } catch {
    /* not a Debian system: versions stay unknown */
  }
  return out;
}

// esbuild's options for Lifeboat's bundles, in one place: the live system's two programs and the host's command.
import { createRequire } from 'node:module';
import path from 'node:path';

/** CommonJS packages in an ESM bundle call require(); this gives them one. */
const requireBanner = "import { createRequire as __lifeboatCreateRequire } from 'node:module'; const require = __lifeboatCreateRequire(import.meta.url);";

export interface BundleOptions {
  /** Entry files relative to appDir; `name=file` names the output (name.mjs). */
  entries: string[];
  outdir: string;
  nodeMajor: number;
  /** Packages left outside the bundle (native addons, loaded from node_modules at run time). */
  external: string[];
  /** Dynamic imports become chunks loaded on first use (the host's command: the UI and the ISO builder load late). */
  splitting?: boolean;
}

export function esbuildArgs(appDir: string, o: BundleOptions): string[] {
  const entry = (e: string) => {
    const eq = e.indexOf('=');
    return eq < 0 ? path.join(appDir, e) : `${e.slice(0, eq)}=${path.join(appDir, e.slice(eq + 1))}`;
  };
  return [
    ...o.entries.map(entry),
    '--bundle',
    ...(o.splitting ? ['--splitting'] : []),
    '--platform=node',
    '--format=esm',
    `--target=node${o.nodeMajor}`,
    `--outdir=${o.outdir}`,
    '--out-extension:.js=.mjs',
    ...o.external.map((a) => `--external:${a}`),
    // Ink loads React's devtools only when DEV=true; Lifeboat never does, and ships a stub instead.
    `--alias:react-devtools-core=${path.join(appDir, 'live/no-devtools.ts')}`,
    '--jsx=automatic',
    `--banner:js=${requireBanner}`,
    '--legal-comments=none',
    '--charset=utf8',
    '--log-level=warning',
  ];
}

/** esbuild's binary from the app's own node_modules (a pinned devDependency). */
export function esbuildBinary(appDir: string): string {
  try {
    const pkg = createRequire(path.join(appDir, 'package.json')).resolve('esbuild/package.json');
    return path.join(path.dirname(pkg), 'bin/esbuild');
  } catch {
    throw new Error(`esbuild is not installed in ${appDir}/node_modules (npm ci installs it)`);
  }
}

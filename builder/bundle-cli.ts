// `npm run build`'s last step: the host's lifeboat command bundled by esbuild into dist/bundle/lifeboat.mjs, with
// the rescue UI and the ISO builder split into chunks loaded on first use: start-up reads a few files instead of a
// few hundred modules (about half the start-up time of dist/cli/main.js; `npm run bench` measures the jobs).
import { chmod, rm } from 'node:fs/promises';
import path from 'node:path';
import { Runner } from '../core/runner/run.js';
import { esbuildArgs, esbuildBinary } from './bundle.js';
import { findAppDir } from './context.js';
import { nativeAddons } from './steps/install-app.js';

const cliBundle = 'dist/bundle/lifeboat.mjs';

const appDir = findAppDir();
const outdir = path.join(appDir, path.dirname(cliBundle));
await rm(outdir, { recursive: true, force: true }); // no chunk of an earlier build stays
const nodeMajor = Number(process.versions.node.split('.')[0]);
await new Runner().run(esbuildBinary(appDir), esbuildArgs(appDir, { entries: ['lifeboat=cli/main.ts'], outdir, nodeMajor, external: Object.keys(nativeAddons), splitting: true }), { cwd: appDir });
await chmod(path.join(appDir, cliBundle), 0o755);

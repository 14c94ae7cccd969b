// lifeboat iso build | schema | config: the live ISO builder's face (stage lines, or JSON Lines with --json).
// The builder and the config loader (ajv) are loaded only when an iso command runs: every other command, a backup
// above all, would otherwise pay for them at start-up (about 60 ms of imports).
import type { Argv, CommandModule } from 'yargs';
import type { BuildEvent } from '../../builder/events.js';
import { UsageError } from '../../core/errors.js';
import { makeContext } from '../context.js';
import { bytes, duration } from '../../core/format.js';

/** Where `lifeboat iso build` and `npm run iso` put the ISO (dist/ is tsc's output). */
export const defaultIsoOut = 'dist-iso';

/** Human lines for build events on stderr; tool output only with --verbose. */
export function formatBuildEvent(e: BuildEvent, verbose: boolean): string | undefined {
  const n = (i: number, total: number) => `[${String(i).padStart(String(total).length)}/${total}]`;
  switch (e.type) {
    case 'build-start':
      return `Building ${e.iso} (cache ${e.cache})`;
    case 'stage-start':
      return `${n(e.index, e.total)} ${e.stage} ...`;
    case 'stage-done':
      return `${n(e.index, e.total)} ${e.stage}: ${e.seconds.toFixed(1)} s${e.note ? ` (${e.note})` : ''}`;
    case 'stage-skipped':
      return `${n(e.index, e.total)} ${e.stage}: skipped (${e.reason})`;
    case 'stage-failed':
      return `${n(e.index, e.total)} ${e.stage}: failed after ${e.seconds.toFixed(1)} s`;
    case 'note':
      return `      ${e.message}`;
    case 'output':
      return verbose ? `      | ${e.line}` : undefined;
    case 'build-done':
      return `${e.iso}: ${bytes(e.bytes)} (${e.bytes} bytes) in ${duration(e.seconds)}\n  sha256 ${e.sha256}`;
  }
}

interface BuildArgs {
  config?: string;
  out: string;
  cache?: string;
  refresh: boolean;
  'keep-work': boolean;
  verbose: boolean;
  json: boolean;
}

const buildCommand: CommandModule<object, BuildArgs> = {
  command: 'build',
  describe: 'Build the live ISO (Debian live system that boots into Lifeboat): BIOS and UEFI, CD and USB disk',
  builder: (y) =>
    y
      .option('config', { type: 'string', describe: 'ISO config file (JSON); without it, the defaults (lifeboat iso config --default)' })
      .option('out', { type: 'string', default: defaultIsoOut, describe: 'Output directory for the ISO, its package list and SHA256SUMS' })
      .option('cache', { type: 'string', describe: 'Cache directory (default: $LIFEBOAT_CACHE, /var/cache/lifeboat for root)' })
      .option('refresh', { type: 'boolean', default: false, describe: 'Bootstrap the root again even if a cached one matches (newer packages)' })
      .option('keep-work', { type: 'boolean', default: false, describe: 'Keep the work directory (root tree, ISO tree) for inspection' })
      .option('verbose', { type: 'boolean', default: false, describe: "Show the tools' own output" })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON Lines events and a JSON result' }) as never,
  handler: async (argv) => {
    const [{ loadIsoConfig }, { buildIso }] = await Promise.all([import('../../iso-config/load.js'), import('../../builder/build.js')]);
    const config = await loadIsoConfig(argv.config);
    const ctx = makeContext(argv.json);
    const emit = (e: BuildEvent) => {
      if (argv.json) process.stdout.write(`${JSON.stringify(e)}\n`);
      else {
        const line = formatBuildEvent(e, argv.verbose);
        if (line !== undefined) process.stderr.write(`${line}\n`);
      }
    };
    const r = await buildIso({ config, out: argv.out, cache: argv.cache, refresh: argv.refresh, keepWork: argv['keep-work'], runner: ctx.runner, emit, signal: ctx.signal });
    if (argv.json) process.stdout.write(`${JSON.stringify({ type: 'result', ok: true, iso: r.iso, bytes: r.bytes, sha256: r.sha256, seconds: r.seconds })}\n`);
    else process.stdout.write(`${r.iso}\n`);
  },
};

const schemaCommand: CommandModule<object, object> = {
  command: 'schema',
  describe: 'Print the ISO config JSON Schema',
  handler: async () => {
    const { isoConfigSchema } = await import('../../iso-config/load.js');
    process.stdout.write(`${JSON.stringify(isoConfigSchema, null, 2)}\n`);
  },
};

const configCommand: CommandModule<object, { default: boolean; config?: string }> = {
  command: 'config',
  describe: 'Print an ISO config with every default filled in: the defaults (--default) or a file checked (--config FILE)',
  builder: (y) =>
    y
      .option('default', { type: 'boolean', default: false, describe: 'Print the default config' })
      .option('config', { type: 'string', describe: 'Check this config file and print it with its defaults' }) as never,
  handler: async (argv) => {
    if (argv.default === (argv.config !== undefined)) throw new UsageError('give either --default or --config FILE', 'lifeboat iso config --default prints the defaults');
    const { defaultIsoConfig, loadIsoConfig } = await import('../../iso-config/load.js');
    const config = argv.config === undefined ? defaultIsoConfig() : await loadIsoConfig(argv.config);
    process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
  },
};

export const isoCommand: CommandModule<object, object> = {
  command: 'iso <command>',
  describe: 'Build the live ISO, or print its config schema or default config',
  builder: (y: Argv) => y.command(buildCommand).command(schemaCommand).command(configCommand).demandCommand(1) as never,
  handler: () => undefined,
};

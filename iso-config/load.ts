// Reads an ISO config: JSON, validated once against schema.json (ajv, defaults filled in), cross-checked, frozen.
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { readFile } from 'node:fs/promises';
import { LifeboatError, NotFoundError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import type { IsoConfig } from './config.js';
import schema from './schema.json' with { type: 'json' };

export const isoConfigSchema: unknown = schema;

/** A config that is not JSON or breaks the schema or a rule: every problem, one line each, all at once. */
export class IsoConfigError extends LifeboatError {
  readonly source: string;
  readonly problems: readonly string[];
  constructor(source: string, problems: string[]) {
    const named = printable(source);
    const head = problems.length === 1 ? `${named}: ${problems[0]}` : `${named} has ${problems.length} problems:\n  ${problems.join('\n  ')}`;
    super('usage', head, { hint: 'lifeboat iso schema prints what each key allows; lifeboat iso config --default prints a valid config' });
    this.name = 'IsoConfigError';
    this.source = source;
    this.problems = problems;
  }
}

const ajv = new Ajv2020({ allErrors: true, useDefaults: true, verbose: true, strict: true });
const validate = ajv.compile(schema);

/** A value as the user wrote it, short enough for one line. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = printable(JSON.stringify(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(s: unknown): string | undefined {
  return typeof s === 'object' && s !== null && typeof (s as { description?: unknown }).description === 'string'
    ? (s as { description: string }).description
    : undefined;
}

/** The closest known key, for "did you mean": edit distance of at most 2, or a case-insensitive match. */
function nearest(word: string, known: string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length]![b.length]!;
  };
  const best = known.map((k) => ({ k, d: k.toLowerCase() === word.toLowerCase() ? 0 : distance(word, k) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? best.k : undefined;
}

const typeWords: Record<string, string> = {
  array: 'a list [...]',
  object: 'an object {...}',
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
};

/** One ajv error as one line: where (JSON Pointer), what was found, what is allowed. */
export function formatSchemaError(e: ErrorObject): string {
  const at = e.instancePath || '/';
  const allowed = describe(e.parentSchema);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {}).filter((k) => k !== '$schema');
      const guess = nearest(key, known);
      return `${e.instancePath}/${key}: unknown key${guess ? ` (did you mean "${guess}"?)` : ''}; allowed keys here: ${known.join(', ')}`;
    }
    case 'required': {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      const props = (e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {};
      return `${e.instancePath}/${key}: missing; required: ${describe(props[key]) ?? 'a value'}`;
    }
    case 'type':
      if (e.instancePath === '') return `/: found ${Array.isArray(e.data) ? 'an array' : shown(e.data)}; allowed: a JSON object of settings`;
      return `${at}: found ${shown(e.data)}; allowed: ${typeWords[String((e.params as { type: string }).type)] ?? String((e.params as { type: string }).type)}${allowed ? ` (${allowed})` : ''}`;
    case 'enum':
      return `${at}: found ${shown(e.data)}; allowed: ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'uniqueItems': {
      const { i } = e.params as { i: number; j: number };
      return `${at}/${i}: found ${shown((e.data as unknown[])[i])} twice; allowed: each value once`;
    }
    case 'minItems':
    case 'maxItems':
      return `${at}: found ${(e.data as unknown[]).length} items; allowed: ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String((e.params as { limit: number }).limit)}${allowed ? ` (${allowed})` : ''}`;
    case 'minimum':
    case 'maximum':
      return `${at}: found ${shown(e.data)}; allowed: ${allowed ?? `${e.keyword === 'minimum' ? '>=' : '<='} ${String((e.params as { limit: number }).limit)}`}`;
    default:
      return `${at}: found ${shown(e.data)}; allowed: ${allowed ?? e.message ?? 'something else'}`;
  }
}

const squashfsLevels: Record<IsoConfig['squashfs']['compression'], [number, number] | undefined> = {
  zstd: [1, 22],
  gzip: [1, 9],
  lzo: [1, 9],
  xz: undefined,
  lz4: undefined,
};

const autorunNeeds: Record<NonNullable<IsoConfig['autorun']>['job'], { needs: ('disk' | 'store' | 'image')[]; refuses: ('disk' | 'image')[] }> = {
  backup: { needs: ['disk', 'store'], refuses: [] },
  restore: { needs: ['disk', 'store', 'image'], refuses: [] },
  'repair-boot': { needs: ['disk', 'store', 'image'], refuses: [] },
  verify: { needs: ['store', 'image'], refuses: ['disk'] },
};

/** Rules that tie keys together (the schema checks each key alone); one line per broken rule. */
export function checkRules(c: IsoConfig): string[] {
  const problems: string[] = [];
  if (c.architecture !== 'amd64') problems.push(`/architecture: found ${shown(c.architecture)}; allowed: "amd64" (${c.architecture} is reserved and not built yet)`);

  const ids = c.boot.entries.map((e) => e.id);
  c.boot.entries.forEach((e, i) => {
    if (ids.indexOf(e.id) !== i) problems.push(`/boot/entries/${i}/id: found ${shown(e.id)} twice; allowed: an id no other entry has`);
    e.params.forEach((p, j) => {
      if (p.startsWith('boot=')) problems.push(`/boot/entries/${i}/params/${j}: found ${shown(p)}; allowed: any parameter but boot= (Lifeboat sets boot=live)`);
    });
  });
  c.boot.kernelParams.forEach((p, j) => {
    if (p.startsWith('boot=')) problems.push(`/boot/kernelParams/${j}: found ${shown(p)}; allowed: any parameter but boot= (Lifeboat sets boot=live)`);
  });
  if (!ids.includes(c.boot.default)) problems.push(`/boot/default: found ${shown(c.boot.default)}; allowed: the id of an entry (${ids.map((i) => JSON.stringify(i)).join(', ')})`);

  const n = c.network;
  if (n.mode === 'static') {
    const missing = (['address', 'gateway'] as const).filter((key) => n[key] === undefined);
    if (missing.length > 0) problems.push(`/network: missing ${missing.join(' and ')}; required: mode "static" needs an address and a gateway`);
  } else {
    for (const key of ['address', 'gateway', 'dns'] as const)
      if (n[key] !== undefined) problems.push(`/network/${key}: found ${shown(n[key])}; allowed: only with mode "static" (mode is ${shown(n.mode)})`);
  }

  if (c.ssh.enabled && c.ssh.authorizedKeys.length === 0)
    problems.push(`/ssh/authorizedKeys: found []; allowed: at least one public key when ssh is enabled (Lifeboat's SSH takes keys only, never passwords)`);
  if (!c.ssh.enabled && c.ssh.authorizedKeys.length > 0)
    problems.push(`/ssh/enabled: found false with authorizedKeys given; allowed: true (or remove the keys)`);

  const level = c.squashfs.level;
  if (level !== undefined) {
    const range = squashfsLevels[c.squashfs.compression];
    if (!range) problems.push(`/squashfs/level: found ${level}; allowed: no level with compression ${shown(c.squashfs.compression)}`);
    else if (level < range[0] || level > range[1]) problems.push(`/squashfs/level: found ${level}; allowed: ${range[0]} to ${range[1]} with compression ${shown(c.squashfs.compression)}`);
  }

  const major = Number(c.node.version.split('.')[0]);
  if (major < 22 || major % 2 !== 0) problems.push(`/node/version: found ${shown(c.node.version)}; allowed: a supported LTS release (an even major version, 22 or newer), such as 24.21.0`);

  if (c.autorun) {
    const rule = autorunNeeds[c.autorun.job];
    const missing = rule.needs.filter((key) => c.autorun?.[key] === undefined);
    if (missing.length > 0) problems.push(`/autorun: missing ${missing.join(', ')}; required: job ${shown(c.autorun.job)} needs ${rule.needs.join(', ')}`);
    for (const key of rule.refuses) if (c.autorun[key] !== undefined) problems.push(`/autorun/${key}: found ${shown(c.autorun[key])}; allowed: nothing (job ${shown(c.autorun.job)} touches no disk)`);
    if (c.autorun.rescue !== undefined && c.autorun.job !== 'backup') problems.push(`/autorun/rescue: found ${shown(c.autorun.rescue)}; allowed: only with job "backup" (it is how a backup reads a failing disk)`);
    if (c.autorun.passwordFile !== undefined && !c.autorun.store?.startsWith('restic:')) problems.push(`/autorun/passwordFile: found ${shown(c.autorun.passwordFile)}; allowed: only with a restic: store (it is the repository's password)`);
  }
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Validates parsed JSON: defaults filled in, every problem at once, then a frozen config. */
export function validateIsoConfig(data: unknown, source = 'config'): IsoConfig {
  const copy: unknown = structuredClone(data);
  if (!validate(copy)) {
    const lines = (validate.errors ?? []).filter((e) => e.keyword !== 'if').map(formatSchemaError);
    throw new IsoConfigError(source, [...new Set(lines)]);
  }
  const config = copy as IsoConfig & { $schema?: string };
  delete config.$schema;
  const problems = checkRules(config);
  if (problems.length > 0) throw new IsoConfigError(source, problems);
  return deepFreeze(config);
}

/** JSON.parse's message with the line and column of its character position (Node 20 gives only the position). */
function jsonErrorWhere(text: string, message: string): string {
  // JSON.parse quotes the text around the error: from a binary file that is control bytes, shown as escapes.
  message = printable(message.replace(/[ \t\r\n]+/g, ' '), { max: 300 });
  const m = /at position (\d+)(?! \(line)/.exec(message);
  if (!m) return message;
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line} column ${column})`;
}

/** Parses config text (JSON); `source` names it in errors. */
export function parseIsoConfig(text: string, source = 'config'): IsoConfig {
  if (text.trim() === '') throw new IsoConfigError(source, ['the file is empty; allowed: a JSON object ({} takes every default)']);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new IsoConfigError(source, [`not JSON: ${jsonErrorWhere(text, (e as Error).message)}`]);
  }
  return validateIsoConfig(data, source);
}

/** The config with every default: what `lifeboat iso build` uses without --config. */
export function defaultIsoConfig(): IsoConfig {
  return validateIsoConfig({}, 'defaults');
}

/** Reads and validates a config file; without a file, the defaults. */
export async function loadIsoConfig(file?: string): Promise<IsoConfig> {
  if (file === undefined) return defaultIsoConfig();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`config file ${file} does not exist`, 'lifeboat iso config --default > lifeboat-iso.json writes one to start from');
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new IsoConfigError(file, ['is a directory; allowed: a JSON file']);
    throw e;
  }
  return parseIsoConfig(text, file);
}

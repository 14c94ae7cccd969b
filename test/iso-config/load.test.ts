// The ISO config: defaults, valid examples, and a corpus of broken configs that each give exactly one clear line.
import test from 'ava';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../../core/errors.js';
import { defaultIsoConfig, IsoConfigError, isoConfigSchema, loadIsoConfig, parseIsoConfig, validateIsoConfig } from '../../iso-config/load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

/** Each broken config in invalid/ and the one line it must produce. */
const expected: Record<string, string> = {
  'empty-file.json': 'the file is empty; allowed: a JSON object ({} takes every default)',
  'only-whitespace.json': 'the file is empty; allowed: a JSON object ({} takes every default)',
  'trailing-comma.json': /^not JSON: .* \(line 3 column 1\)$/.source,
  'yaml-not-json.json': /^not JSON: Unexpected token 'h'/.source,
  'top-level-array.json': '/: found an array; allowed: a JSON object of settings',
  'unknown-suite.json': '/suite: found "bookworm"; allowed: "trixie"',
  'unknown-top-key.json': /^\/hostnme: unknown key \(did you mean "hostname"\?\); allowed keys here: suite, mirror, /.source,
  'unknown-nested-key.json': '/boot/timout: unknown key (did you mean "timeout"?); allowed keys here: timeout, default, kernelParams, entries',
  'unknown-entry-key.json': '/boot/entries/0/kernel: unknown key; allowed keys here: id, label, params, toRam',
  'timeout-string.json': '/boot/timeout: found "5"; allowed: a whole number (seconds the menu waits before starting the default entry, 0 to 300)',
  'timeout-too-long.json': '/boot/timeout: found 900; allowed: seconds the menu waits before starting the default entry, 0 to 300',
  'packages-not-array.json': '/packages: found "less nano"; allowed: a list [...] (extra Debian packages installed besides the ones Lifeboat needs)',
  'package-uppercase.json': '/packages/1: found "Nano"; allowed: a Debian package name: lowercase letters, digits, + - and ., starting with a letter or digit, at least 2 characters',
  'package-space.json': '/packages/1: found "vim tiny"; allowed: a Debian package name: lowercase letters, digits, + - and ., starting with a letter or digit, at least 2 characters',
  'package-leading-dash.json': '/packages/1: found "-rf"; allowed: a Debian package name: lowercase letters, digits, + - and ., starting with a letter or digit, at least 2 characters',
  'package-twice.json': '/packages/1: found "less" twice; allowed: each value once',
  'firmware-unknown-set.json': '/firmware/0: found "nvidia"; allowed: "free", "network", "wifi", "storage", "graphics", "misc", "microcode"',
  'architecture-unknown.json': '/architecture: found "i386"; allowed: "amd64", "arm64"',
  'architecture-reserved.json': '/architecture: found "arm64"; allowed: "amd64" (arm64 is reserved and not built yet)',
  'mirror-ftp.json': '/mirror: found "ftp://ftp.debian.org/debian"; allowed: an http:// or https:// Debian mirror URL',
  'hostname-bad.json': '/hostname: found "Life_Boat"; allowed: a host name: lowercase letters, digits and inner hyphens, at most 63 characters',
  'volume-label-lowercase.json': '/volumeLabel: found "lifeboat"; allowed: the ISO 9660 volume label: 1 to 32 uppercase letters, digits or underscores',
  'file-name-not-iso.json': '/output/fileName: found "lifeboat.img"; allowed: the ISO\'s file name ending in .iso; {version} and {arch} are replaced',
  'locale-bad.json': '/locale: found "english"; allowed: a glibc locale such as C.UTF-8, en_US.UTF-8 or de_DE.UTF-8',
  'timezone-bad.json': '/timezone: found "Berlin"; allowed: UTC or an Area/City time zone such as Europe/Berlin',
  'node-range.json': '/node/version: found "^24.21.0"; allowed: an exact version such as 24.21.0 (no ranges)',
  'node-odd-major.json': '/node/version: found "25.2.0"; allowed: a supported LTS release (an even major version, 22 or newer), such as 24.21.0',
  'node-without-version.json': '/node/version: missing; required: an exact version such as 24.21.0 (no ranges)',
  'squashfs-level-with-xz.json': '/squashfs/level: found 9; allowed: no level with compression "xz"',
  'squashfs-gzip-level.json': '/squashfs/level: found 15; allowed: 1 to 9 with compression "gzip"',
  'network-static-without-address.json': '/network: missing address and gateway; required: mode "static" needs an address and a gateway',
  'network-dhcp-with-address.json': '/network/address: found "192.168.1.50/24"; allowed: only with mode "static" (mode is "dhcp")',
  'network-bad-address.json': '/network/address: found "192.168.1.300/24"; allowed: an IPv4 address with prefix length, such as 192.168.1.50/24 (static only)',
  'ssh-without-keys.json': "/ssh/authorizedKeys: found []; allowed: at least one public key when ssh is enabled (Lifeboat's SSH takes keys only, never passwords)",
  'ssh-keys-while-off.json': '/ssh/enabled: found false with authorizedKeys given; allowed: true (or remove the keys)',
  'ssh-password.json': '/ssh/password: unknown key; allowed keys here: enabled, authorizedKeys',
  'ssh-key-not-a-key.json': '/ssh/authorizedKeys/0: found "my key"; allowed: an OpenSSH public key line: ssh-ed25519 AAAA… comment',
  'boot-default-missing-entry.json': '/boot/default: found "rescue"; allowed: the id of an entry ("lifeboat", "lifeboat-toram", "lifeboat-safe")',
  'boot-duplicate-id.json': '/boot/entries/1/id: found "a" twice; allowed: an id no other entry has',
  'boot-no-entries.json': '/boot/entries: found 0 items; allowed: at least 1 (the menu entries, in menu order)',
  'boot-param-boot.json': '/boot/kernelParams/0: found "boot=casper"; allowed: any parameter but boot= (Lifeboat sets boot=live)',
  'boot-param-space.json': '/boot/kernelParams/0: found "quiet splash"; allowed: one kernel parameter such as nomodeset or console=ttyS1,9600 (no spaces or quotes)',
  'boot-label-quote.json': '/boot/entries/0/label: found "It\'s"; allowed: the text shown in the menu, 1 to 64 characters without quotes, backslashes or newlines',
  'autorun-backup-without-disk.json': '/autorun: missing disk; required: job "backup" needs disk, store',
  'autorun-verify-with-disk.json': '/autorun/disk: found "/dev/sda"; allowed: nothing (job "verify" touches no disk)',
  'autorun-unknown-job.json': '/autorun/job: found "clone"; allowed: "backup", "restore", "repair-boot", "verify"',
  'autorun-disk-not-dev.json': '/autorun/disk: found "sda"; allowed: the disk to back up or restore to, as /dev/sda or /dev/disk/by-id/…',
  'autorun-rescue-restore.json': '/autorun/rescue: found true; allowed: only with job "backup" (it is how a backup reads a failing disk)',
  'autorun-without-job.json': '/autorun/job: missing; required: backup, restore, repair-boot (the boot records only) or verify',
  'serial-port-unknown.json': '/serialConsole/port: found "ttyUSB0"; allowed: "ttyS0", "ttyS1", "ttyS2", "ttyS3"',
  'serial-console-boolean.json': '/serialConsole: found true; allowed: an object {...} (the serial port that gets the kernel console and a login into Lifeboat, besides the screen (tty1))',
};

const invalidDir = path.join(here, 'invalid');

test('every file of the invalid corpus has its expected line, and every expected line its file', (t) => {
  t.deepEqual(readdirSync(invalidDir).sort(), Object.keys(expected).sort());
});

for (const [file, line] of Object.entries(expected)) {
  test(`invalid/${file}: one clear error`, (t) => {
    const e = t.throws(() => parseIsoConfig(readFileSync(path.join(invalidDir, file), 'utf8'), file), { instanceOf: IsoConfigError });
    t.is(e.problems.length, 1, e.message);
    if (line.startsWith('^')) t.regex(e.problems[0]!, new RegExp(line));
    else t.is(e.problems[0], line);
    t.false(e.problems[0]!.includes('\n'), 'one line');
    t.is(e.message, `${file}: ${e.problems[0]}`, 'the message names the file');
    t.is(e.kind, 'usage', 'exit code 2');
  });
}

test('all problems at once, one line each', (t) => {
  const e = t.throws(() => validateIsoConfig({ suite: 'sid', hostname: 'A B', boot: { timeout: -1 }, extra: 1 }, 'x.json'), { instanceOf: IsoConfigError });
  t.is(e.problems.length, 4);
  t.regex(e.message, /^x\.json has 4 problems:\n {2}\//);
});

test('defaults: {} is the whole default config, default.json is exactly that, and it is frozen', (t) => {
  const d = defaultIsoConfig();
  t.deepEqual(parseIsoConfig('{}'), d);
  const file = JSON.parse(readFileSync(path.join(repo, 'iso-config/default.json'), 'utf8')) as Record<string, unknown>;
  t.is(file['$schema'], './schema.json');
  delete file['$schema'];
  t.deepEqual(file, JSON.parse(JSON.stringify(d)));
  t.true(Object.isFrozen(d) && Object.isFrozen(d.boot) && Object.isFrozen(d.boot.entries[0]));
  t.throws(() => {
    (d as { hostname: string }).hostname = 'x';
  });
  t.is(d.suite, 'trixie');
  t.regex(d.node.version, /^24\.\d+\.\d+$/);
  t.false(d.ssh.enabled);
  t.is(d.network.mode, 'dhcp');
  t.is(d.squashfs.compression, 'zstd');
});

test('nested defaults fill in around what the user gave', (t) => {
  const c = parseIsoConfig('{"boot": {"timeout": 1}, "network": {"mode": "off"}}');
  t.is(c.boot.timeout, 1);
  t.is(c.boot.default, 'lifeboat');
  t.is(c.boot.entries.length, 3);
  t.deepEqual(c.network.interfaces, ['en*', 'eth*']);
  const entry = parseIsoConfig('{"boot": {"default": "x", "entries": [{"id": "x", "label": "X"}]}}').boot.entries[0];
  t.deepEqual(entry, { id: 'x', label: 'X', params: [], toRam: false });
});

for (const file of readdirSync(path.join(here, 'valid')).sort()) {
  test(`valid/${file} loads`, async (t) => {
    const c = await loadIsoConfig(path.join(here, 'valid', file));
    t.false('$schema' in c);
    t.true(Object.isFrozen(c));
  });
}

test('a missing file is not-found (exit 3), a directory is a config error', async (t) => {
  await t.throwsAsync(loadIsoConfig('/nonexistent/lifeboat-iso.json'), { instanceOf: NotFoundError });
  const dir = await mkdtemp(path.join(tmpdir(), 'lifeboat-isoconfig-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await t.throwsAsync(loadIsoConfig(dir), { instanceOf: IsoConfigError });
  await writeFile(path.join(dir, 'c.json'), '{"hostname": "ok-1"}');
  t.is((await loadIsoConfig(path.join(dir, 'c.json'))).hostname, 'ok-1');
});

test('the schema: draft 2020-12, strict, additionalProperties false on every object', (t) => {
  t.notThrows(() => new Ajv2020({ strict: true }).compile(isoConfigSchema as object));
  const objects: string[] = [];
  const walk = (s: unknown, at: string): void => {
    if (typeof s !== 'object' || s === null) return;
    const o = s as Record<string, unknown>;
    if (o['type'] === 'object') {
      objects.push(at);
      t.is(o['additionalProperties'], false, `${at} has additionalProperties false`);
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'default') walk(v, `${at}/${k}`);
  };
  walk(isoConfigSchema, '#');
  t.true(objects.length >= 10);
});

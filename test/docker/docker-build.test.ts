// Docker acceptance: with a real Docker engine (Debian's docker.io, started here and stopped at the end), the
// builder image is built from the repository's Dockerfile on a base imported from mmdebstrap (no registry), run to
// build the default ISO, compared byte for byte with a native build of the same config and SOURCE_DATE_EPOCH, and
// booted under QEMU to the Lifeboat entry point; Docker's default seccomp profile is shown to stop the build's
// sandbox, and the repository's (that profile plus pivot_root) to let it run. Needs root, the Debian mirror and the npm registry.
// LIFEBOAT_SKIP_DOCKER=1 skips it; LIFEBOAT_TEST_DOCKER_DIR moves the engine's state (default
// /var/lib/lifeboat-test-docker) and LIFEBOAT_TEST_DOCKER_CACHE the container's build cache (/var/cache/lifeboat-docker).
import test from 'ava';
import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIso } from '../../builder/build.js';
import { defaultCacheDir } from '../../builder/cache.js';
import { isoFileName } from '../../builder/context.js';
import { ensureToolsTree } from '../../builder/tools-tree.js';
import { Runner } from '../../core/runner/run.js';
import { lifeboatVersion } from '../../imager/version.js';
import { defaultIsoConfig } from '../../iso-config/load.js';
import { bootIso } from '../../harness/boot.js';
import { engineDir, ensureDockerInstalled, startEngine, type Engine } from './engine.js';
import { compareFiles, describeRanges, differenceMessage, isoExtents, isoSquashfs, squashfsDifferences } from './iso-compare.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const skip = process.env['LIFEBOAT_SKIP_DOCKER'] === '1';
const serial = skip ? test.skip : test.serial;

/** The same for both builds; any fixed value does. */
const sourceDateEpoch = 1764115200;
const baseImage = 'lifeboat-base:trixie';
const builderImage = 'lifeboat-builder:test';
/** The container's cache, kept between runs (the container sees it at the builder's default, /var/cache/lifeboat). */
const dockerCache = process.env['LIFEBOAT_TEST_DOCKER_CACHE'] ?? '/var/cache/lifeboat-docker';
const config = defaultIsoConfig();
const isoName = isoFileName(config, lifeboatVersion);
const packagesName = isoName.replace(/\.iso$/, '.packages');
const marker = `LIFEBOAT-READY node=v${config.node.version}`;

let engine: Engine | undefined;
let imageReady = false;
let work = '';
let dockerOut = '';
let nativeOut = '';
let dockerBuilt = false;

const minutes = (n: number) => n * 60_000;
const secs = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;

/** Docker's default AppArmor profile forbids mount; on hosts with AppArmor the sandbox needs it lifted too. */
function appArmorOn(): boolean {
  try {
    return readdirSync('/sys/kernel/security/apparmor').length > 0;
  } catch {
    return false;
  }
}

/** The extra CA certificates of this host (a TLS-inspecting proxy's), for npm inside the image build. */
async function hostExtraCaCerts(): Promise<string> {
  const dir = '/usr/local/share/ca-certificates';
  if (!existsSync(dir)) return '';
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.crt')).sort();
  return (await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))).join('\n').trim();
}

/**
 * The privileges README.md asks for (Docker): CAP_SYS_ADMIN and the repository's seccomp profile (Docker's default
 * plus pivot_root with that capability), for bubblewrap. `seccomp: 'default'` leaves Docker's own profile.
 */
function dockerRunPrivileges(apparmor: boolean, seccomp: 'lifeboat' | 'default' = 'lifeboat'): string[] {
  return ['--cap-add', 'SYS_ADMIN', ...(seccomp === 'lifeboat' ? ['--security-opt', `seccomp=${path.join(repo, 'docker/seccomp.json')}`] : []), ...(apparmor ? ['--security-opt', 'apparmor=unconfined'] : [])];
}

async function dockerBuildIso(t: { log(...v: unknown[]): void }, refresh: boolean): Promise<void> {
  if (!engine) throw new Error('no engine');
  await rm(dockerOut, { recursive: true, force: true });
  await mkdir(dockerOut, { recursive: true });
  await mkdir(dockerCache, { recursive: true });
  const started = performance.now();
  const args = [
    ...engine.clientArgs,
    'run', '--rm', '--network', 'host',
    ...dockerRunPrivileges(appArmorOn()),
    '-e', `SOURCE_DATE_EPOCH=${sourceDateEpoch}`,
    '-v', `${dockerOut}:/out`,
    '-v', `${dockerCache}:/var/cache/lifeboat`,
    builderImage,
    ...(refresh ? ['--refresh'] : []),
  ];
  const r = await execa('/usr/bin/docker', args, { reject: false, all: true });
  for (const line of String(r.all).split('\n')) if (/^\[\s*\d+\/\d+\] .*: |root cache miss|^\/out\//.test(line)) t.log(`  docker: ${line.trim()}`);
  if (r.exitCode !== 0) throw new Error(`docker run failed (exit ${r.exitCode}):\n${String(r.all).slice(-4000)}`);
  t.log(`ISO built in Docker${refresh ? ' (--refresh)' : ''} in ${secs(started)}`);
}

async function nativeBuildIso(t: { log(...v: unknown[]): void }, refresh: boolean): Promise<void> {
  await rm(nativeOut, { recursive: true, force: true });
  const r = await buildIso({
    config,
    out: nativeOut,
    runner: new Runner(),
    refresh,
    sourceDateEpoch,
    emit: (e) => {
      if (e.type === 'note' && /cache miss/.test(e.message)) t.log(`  native: ${e.message}`);
    },
  });
  t.log(`native ISO${refresh ? ' (--refresh)' : ''} in ${r.seconds.toFixed(0)} s`);
}

/** Package lines that differ: "name a → b", "+name v", "-name v". */
function packageChanges(a: string, b: string): string[] {
  const parse = (s: string) => new Map(s.split('\n').filter(Boolean).map((l) => [l.split(/\s+/)[0]!, l.split(/\s+/).slice(1).join(' ')] as [string, string]));
  const [x, y] = [parse(a), parse(b)];
  const out: string[] = [];
  for (const [name, v] of x) if (!y.has(name)) out.push(`-${name} ${v}`);
  for (const [name, v] of y) if (!x.has(name)) out.push(`+${name} ${v}`);
  for (const [name, v] of x) if (y.has(name) && y.get(name) !== v) out.push(`${name} ${v} → ${y.get(name)}`);
  return out;
}

async function packageLists(): Promise<[string, string]> {
  return [await readFile(path.join(nativeOut, packagesName), 'utf8'), await readFile(path.join(dockerOut, packagesName), 'utf8')];
}

test.before(async () => {
  if (skip) return;
  work = await mkdtemp('/var/tmp/lifeboat-test-docker-');
  dockerOut = path.join(work, 'docker-out');
  nativeOut = path.join(work, 'native-out');
});

test.after.always(async () => {
  if (engine) await engine.stop(); // only the engine this test started
  if (work) await rm(work, { recursive: true, force: true });
});

serial('docker.io engine started; base image imported from mmdebstrap; builder image built from the Dockerfile', async (t) => {
  t.timeout(minutes(20));
  await ensureDockerInstalled(repo, (l) => t.log(l));
  engine = await startEngine((l) => t.log(l));
  if ((await engine.docker(['image', 'inspect', baseImage])).exitCode === 0) t.log(`${baseImage}: already imported`);
  else {
    const started = performance.now();
    // Unbuffered (the tarball streams through), and in a process group of its own: when mmdebstrap fails to write
    // the tarball it sends SIGHUP to its whole group, which would otherwise be this test's and the engine's.
    await execa('mmdebstrap', ['--variant=minbase', '--quiet', 'trixie', '-'], { stderr: 'inherit', buffer: false, detached: true }).pipe('/usr/bin/docker', [
      ...engine.clientArgs,
      'import',
      '-',
      baseImage,
    ]);
    t.log(`${baseImage}: imported from mmdebstrap in ${secs(started)}`);
  }
  const started = performance.now();
  const ca = await hostExtraCaCerts();
  const r = await execa('/usr/bin/docker', [...engine.clientArgs, 'build', '--network', 'host', '--build-arg', `EXTRA_CA_CERTS=${ca}`, '-t', builderImage, repo], { reject: false, all: true });
  t.is(r.exitCode, 0, `docker build failed:\n${String(r.all).slice(-4000)}`);
  t.log(`${builderImage}: built in ${secs(started)} (engine state in ${engineDir})`);
  await engine.docker(['image', 'prune', '--force']); // the previous run's image, now untagged
  imageReady = r.exitCode === 0;
});

serial("Docker's default seccomp profile stops the build's sandbox (pivot_root); docker/seccomp.json is that profile plus pivot_root", async (t) => {
  t.timeout(minutes(10));
  if (!imageReady || !engine) return t.fail('no builder image (the previous test failed)');
  // The profile: deny by default, and pivot_root allowed only beside mount, unshare and the rest of CAP_SYS_ADMIN's.
  const profile = JSON.parse(await readFile(path.join(repo, 'docker/seccomp.json'), 'utf8')) as { defaultAction: string; syscalls: { names: string[]; action: string; includes?: { caps?: string[] } }[] };
  t.is(profile.defaultAction, 'SCMP_ACT_ERRNO');
  const allowed = profile.syscalls.filter((b) => b.action === 'SCMP_ACT_ALLOW' && b.names.includes('pivot_root'));
  t.is(allowed.length, 1);
  t.deepEqual(allowed[0]!.includes?.caps, ['CAP_SYS_ADMIN']);
  t.true(allowed[0]!.names.includes('mount') && allowed[0]!.names.includes('unshare'));
  // The same run under Docker's own profile fails at the first sandbox, for pivot_root.
  const out = await mkdtemp(path.join(work, 'default-seccomp-'));
  const started = performance.now();
  const r = await execa('/usr/bin/docker', [...engine.clientArgs, 'run', '--rm', '--network', 'host', ...dockerRunPrivileges(appArmorOn(), 'default'), '-e', `SOURCE_DATE_EPOCH=${sourceDateEpoch}`, '-v', `${out}:/out`, '-v', `${dockerCache}:/var/cache/lifeboat`, builderImage], { reject: false, all: true });
  t.not(r.exitCode, 0, 'the build must not pass under the default profile');
  t.regex(String(r.all), /pivot_root|Operation not permitted/, String(r.all).slice(-2000));
  t.log(`default profile: failed as expected after ${secs(started)}: ${(/.*(?:pivot_root|Operation not permitted).*/.exec(String(r.all))?.[0] ?? '').trim().slice(0, 200)}`);
});

serial('the builder image builds the default ISO into /out without --privileged (CAP_SYS_ADMIN, the seccomp profile of docker/)', async (t) => {
  t.timeout(minutes(25));
  if (!imageReady) return t.fail('no builder image (the previous test failed)');
  await dockerBuildIso(t, false);
  for (const f of [isoName, packagesName, 'SHA256SUMS']) t.true(existsSync(path.join(dockerOut, f)), `${f} in out/`);
  const sums = await readFile(path.join(dockerOut, 'SHA256SUMS'), 'utf8');
  t.regex(sums, new RegExp(`^[0-9a-f]{64}  ${isoName.replaceAll('.', '\\.')}$`, 'm'));
  dockerBuilt = true;
});

serial('the ISO built in Docker is byte for byte the native build of the same config and SOURCE_DATE_EPOCH', async (t) => {
  t.timeout(minutes(30));
  if (!dockerBuilt) return t.fail('no ISO from Docker (the previous test failed)');
  await nativeBuildIso(t, false);
  let [native, docker] = await packageLists();
  if (native !== docker) {
    // The two caches were bootstrapped at different times, and the mirror moved in between: bootstrap both again.
    t.log(`package lists differ (${packageChanges(native, docker).join(', ')}): both again with --refresh`);
    await nativeBuildIso(t, true);
    await dockerBuildIso(t, true);
    [native, docker] = await packageLists();
  }
  if (native !== docker)
    return t.fail(`the Debian mirror moved between the two builds (package versions differ: ${packageChanges(native, docker).join(', ')}); run the test again`);
  const started = performance.now();
  const d = await compareFiles(path.join(nativeOut, isoName), path.join(dockerOut, isoName));
  t.log(`compared ${d.sizes[0]} bytes in ${secs(started)}: ${d.identical ? 'identical' : 'different'}`);
  if (d.identical) return t.pass();
  const { tree } = await ensureToolsTree(defaultCacheDir(), config, new Runner(), {});
  const [nativeIso, dockerIso] = [path.join(nativeOut, isoName), path.join(dockerOut, isoName)];
  const extents = await isoExtents(tree, nativeIso);
  let message = differenceMessage(d, extents);
  if (describeRanges(d.ranges, extents).some((l) => l.startsWith(`${isoSquashfs}:`))) {
    const scratch = path.join(work, 'squashfs');
    await mkdir(scratch, { recursive: true });
    const paths = await squashfsDifferences(tree, nativeIso, dockerIso, scratch);
    await rm(scratch, { recursive: true, force: true });
    message += `\nin the squashfs (native | Docker): ${paths.length} paths differ${paths.length > 0 ? `:\n${paths.slice(0, 30).map((p) => `  ${p}`).join('\n')}` : ''}`;
  }
  t.fail(message);
});

serial('the ISO built in Docker boots (BIOS CD, QEMU) to the Lifeboat entry point', async (t) => {
  t.timeout(minutes(10));
  if (!dockerBuilt) return t.fail('no ISO from Docker (an earlier test failed)');
  const r = await bootIso(path.join(dockerOut, isoName), 'bios-cd', { marker });
  t.log(`marker after ${r.markerSeconds.toFixed(1)} s`);
  t.true(r.serial.includes(marker));
});

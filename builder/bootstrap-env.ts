// The environment mmdebstrap runs in: only what it needs from the caller's, so that the packages' scripts in the
// chroot see the same variables on every host and in Docker, and the bootstrapped tree does not depend on who ran it.
/** Taken from the caller: where programs are, the home and temporary directories, and the way to the mirror. */
export const bootstrapEnvPassed: readonly string[] = [
  'PATH',
  'HOME',
  'TMPDIR',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
];

/**
 * Set for every bootstrap: Python run by package scripts writes no bytecode as a side effect of importing, so the
 * .pyc files are those py3compile makes, which with SOURCE_DATE_EPOCH are hash-checked and so do not depend on
 * file times (a caller's PYTHONDONTWRITEBYTECODE, present or not, used to decide this).
 */
export const bootstrapEnvFixed: Readonly<Record<string, string>> = { PYTHONDONTWRITEBYTECODE: '1' };

/** mmdebstrap's whole environment (run it with extendEnv: false). */
export function bootstrapEnv(sourceDateEpoch: number | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of bootstrapEnvPassed) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return { ...out, ...bootstrapEnvFixed, ...(sourceDateEpoch === undefined ? {} : { SOURCE_DATE_EPOCH: String(sourceDateEpoch) }) };
}

// Imported first by run.tsx, before Ink: the rescue UI is interactive by definition, so Ink's "CI mode" must not apply.
// Ink decides it once, when its dependency is-in-ci loads, from CI and CONTINUOUS_INTEGRATION (any value but "0" and
// "false"); in that mode it draws nothing until the app exits, so a terminal opened from a CI job, a build script or a
// tmux server started by one shows a blank screen. ESM evaluates imports in order (esbuild keeps that order), so
// clearing both here, before `ink` is imported, is enough. The commands the UI runs do not need them either.
for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) delete process.env[name];
export {};

// Where Lifeboat lives inside the live system: the one table the build steps and the entry point agree on.

export const live = {
  /** Lifeboat's own tree: the runtime, the bundled app, its native addons, its package.json. */
  dir: '/usr/lib/lifeboat',
  nodeDir: '/usr/lib/lifeboat/node',
  node: '/usr/lib/lifeboat/node/bin/node',
  /** The bundled CLI (esbuild, one file) and the entry point the consoles log into. */
  app: '/usr/lib/lifeboat/app/lifeboat.mjs',
  entryScript: '/usr/lib/lifeboat/app/entry.mjs',
  /** Native addons built for the embedded Node: node-pty, diskusage. */
  modules: '/usr/lib/lifeboat/node_modules',
  /** The commands on PATH. */
  command: '/usr/bin/lifeboat',
  entry: '/usr/sbin/lifeboat-entry',
  /** Exported by the login shell that started the entry point, so nested login shells do not start it again. */
  startedVariable: 'LIFEBOAT_STARTED',
} as const;

/** The line the entry point prints first on its console; tests wait for it on the serial port. */
export function readyMarker(nodeVersion: string, lifeboatVersion: string): string {
  return `LIFEBOAT-READY node=${nodeVersion} lifeboat=${lifeboatVersion}`;
}

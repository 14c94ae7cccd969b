// Building inside a container (the Dockerfile sets LIFEBOAT_IN_CONTAINER=1): what the tools sandbox does differently.
import type { SandboxNetwork } from './tools-tree.js';

/** True in the builder image (README, Docker). */
export function inContainer(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['LIFEBOAT_IN_CONTAINER'] === '1';
}

/**
 * The sandbox's network: a fresh, empty namespace on a host; in a container the container's own. bwrap brings up
 * the loopback of a fresh namespace, which needs CAP_NET_ADMIN; the container's namespace already keeps the tools
 * apart from the host's network, so the builder image needs no such capability.
 */
export function sandboxNetwork(env: NodeJS.ProcessEnv = process.env): SandboxNetwork {
  return inContainer(env) ? 'shared' : 'none';
}

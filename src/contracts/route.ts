/**
 * Where a peer's activities run. A `via: ssh` or `via: local` peer is served by the controller
 * worker; a `via: worker` peer by its own worker on the queue `<controller queue>@<peer>`.
 * Resolved from the peers file by the controller (activity routePeer) and kept in history.
 */

/** A peer name: it appears in workflow ids, task queues and file names, so it stays plain. */
export const PEER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function isPeerName(name: unknown): name is string {
  return typeof name === 'string' && PEER_NAME_PATTERN.test(name);
}

export interface PeerRoute {
  peer: string;
  via: 'ssh' | 'local' | 'worker';
  /** The peer's own task queue (via: worker); undefined: the controller's queue. */
  taskQueue?: string;
  /** via: worker: how long an activity may wait for the peer worker to pick it up. */
  pickupTimeoutMs?: number;
  /**
   * Where credential pushes run: on the controller (over SSH or locally), or nowhere (a worker
   * peer without SSH settings: the controller's token never travels through Temporal).
   */
  credentialPush: 'controller' | 'unavailable';
  /** How long a send rides out the peer being unreachable (absent in old histories: 10 min). */
  outageWindowMs?: number;
}

/** The task queue a peer worker serves: `peer-comms@gpuserver1`. */
export function peerTaskQueue(controllerQueue: string, peer: string): string {
  return `${controllerQueue}@${peer}`;
}

/** The route of a peer served by the controller (also what runs recorded before routing existed). */
export function controllerRoute(peer: string): PeerRoute {
  return { peer, via: 'ssh', credentialPush: 'controller' };
}

export interface QueuePollers {
  taskQueue: string;
  /** Workers that polled the queue for activities recently (the server keeps them a few minutes). */
  pollers: { identity: string; lastAccessAt: number | null }[];
}

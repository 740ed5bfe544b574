/**
 * routePeer: where a peer's activities run, from the peers file (run as a local activity on the
 * controller). queuePollers: which workers poll a peer's queue, so a send waiting for a stopped
 * peer worker can say so.
 */
import { peerTaskQueue, type PeerRoute, type QueuePollers } from '../contracts/route';
import { ErrorType } from '../contracts/errors';
import { fail, type ControllerDeps } from './context';

export function createRouteActivities(deps: Pick<ControllerDeps, 'config' | 'queuePollers'>) {
  // Activities return promises; this one has nothing to wait for.
  function routePeer(input: { peer: string }): Promise<PeerRoute> {
    return Promise.resolve(routeOf(input.peer));
  }

  function routeOf(peer: string): PeerRoute {
    const cfg = deps.config.peers[peer];
    if (!cfg) {
      throw fail(
        ErrorType.InvalidConfig,
        `unknown peer "${peer}" (configured: ${Object.keys(deps.config.peers).join(', ')})`,
      );
    }
    const outageWindowMs = cfg.thresholds.outageWindow;
    if (cfg.via !== 'worker') return { peer, via: cfg.via, credentialPush: 'controller', outageWindowMs };
    return {
      peer,
      via: 'worker',
      taskQueue: peerTaskQueue(deps.config.controller.taskQueue, peer),
      pickupTimeoutMs: cfg.worker.pickupTimeout,
      credentialPush: cfg.host ? 'controller' : 'unavailable',
      outageWindowMs,
    };
  }

  async function queuePollers(input: { taskQueue: string }): Promise<QueuePollers> {
    return { taskQueue: input.taskQueue, pollers: await deps.queuePollers(input.taskQueue) };
  }

  return { routePeer, queuePollers };
}

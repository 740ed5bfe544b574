/**
 * listPeers: the peers a fleet check covers, from the controller's peers file (the fleetHealth
 * workflow never reads the config itself; the answer is recorded in its history).
 */
import type { FleetPeerEntry } from '../contracts/fleet';
import type { ControllerDeps } from './context';

export function createFleetActivities(deps: Pick<ControllerDeps, 'config'>) {
  // Activities return promises; this one has nothing to wait for.
  function listPeers(): Promise<FleetPeerEntry[]> {
    return Promise.resolve(
      Object.entries(deps.config.peers).map(([peer, cfg]) => ({ peer, diskPercent: cfg.thresholds.diskPercent })),
    );
  }
  return { listPeers };
}

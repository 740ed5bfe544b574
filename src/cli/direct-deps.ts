/**
 * Activity deps for a CLI command that runs an activity itself, over SSH or locally, without
 * Temporal (preflight, peek, inbox, log on ssh/local peers). Close the pool when done.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { PeerDeps } from '../activities';
import type { Config } from '../config/schema';
import { PeerShellPool } from '../peer-access/pool';
import { peerConnector } from '../workers/peer-shells';

export function directDeps(config: Config): { deps: PeerDeps; pool: PeerShellPool } {
  const pool = new PeerShellPool(peerConnector(config));
  return {
    pool,
    deps: {
      config,
      shells: pool,
      now: () => Date.now(),
      sleep: (ms, signal) => delay(ms, undefined, { signal }),
    },
  };
}

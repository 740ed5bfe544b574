/**
 * Activity deps for a CLI command that runs an activity itself, over SSH or locally, without
 * Temporal (preflight, peek, inbox, log on ssh/local peers). Close the pool when done.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ActivityDeps } from '../activities';
import { readControllerCredentials } from '../config/controller-credentials';
import type { Config } from '../config/schema';
import { PeerShellPool } from '../peer-access/pool';
import { peerConnector } from '../workers/peer-shells';

export function directDeps(config: Config): { deps: ActivityDeps; pool: PeerShellPool } {
  const pool = new PeerShellPool(peerConnector(config));
  return {
    pool,
    deps: {
      config,
      shells: pool,
      readControllerFile: (p) => readControllerCredentials(p), // the file, or on macOS the Keychain
      appendAudit: async () => {},
      now: () => Date.now(),
      sleep: (ms, signal) => delay(ms, undefined, { signal }),
    },
  };
}

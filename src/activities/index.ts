/**
 * All activities, built from injected dependencies: the worker passes real shells (SSH pool,
 * local), the clock and the audit sink; tests pass fakes.
 */
import { createAwaitAck } from './ack';
import { createCommandActivities } from './command';
import { createAudit } from './audit';
import type { ActivityDeps } from './context';
import { createRefreshCredentials } from './credentials';
import { createDeliveryActivities } from './deliver';
import { createFleetActivities } from './fleet';
import { createGitSync } from './git-sync';
import { createInboxActivities } from './inbox';
import { createRequestPaneLock } from './lock';
import { createLockHolders } from './lock-holders';
import { createPreflight } from './preflight';
import { createReadPeerActivities } from './read-peer';
import { createReceiptActivities } from './receipts';
import { createRouteActivities } from './route';
import { createSessionActivities } from './session';

export function createActivities(deps: ActivityDeps) {
  return {
    preflight: createPreflight(deps),
    refreshCredentials: createRefreshCredentials(deps),
    ...createSessionActivities(deps),
    ...createDeliveryActivities(deps),
    awaitAck: createAwaitAck(deps),
    audit: createAudit(deps),
    requestPaneLock: createRequestPaneLock(deps),
    lockHolders: createLockHolders(),
    ...createFleetActivities(deps),
    ...createInboxActivities(deps),
    gitSync: createGitSync(deps),
    ...createRouteActivities(deps),
    ...createReadPeerActivities(deps),
    ...createReceiptActivities(deps),
    ...createCommandActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './context';

/**
 * The activities, in two sets by the task queue that serves them, built from injected
 * dependencies (the worker passes real shells, the clock, the audit sink; tests pass fakes).
 *
 * - Peer activities act on one peer through its shell. They run on the controller's queue (SSH
 *   or local peers) or on the peer worker's own queue (`via: worker`); `onPeer` in
 *   workflows/routing.ts can reach only these, and the peer worker registers only these.
 * - Controller activities need the controller itself: its files and audit log, its Temporal
 *   client, its git, its peers file. Only the controller worker registers them.
 */
import { createAwaitAck } from './ack';
import { removingBuffers } from './ack-cleanup';
import { createCommandActivities } from './command';
import { createAudit } from './audit';
import type { ControllerDeps, PeerDeps } from './context';
import { createRefreshCredentials } from './credentials';
import { createDeliveryActivities } from './deliver';
import { createFleetActivities } from './fleet';
import { createGitSync } from './git-sync';
import { createInboxActivities } from './inbox';
import { createReleasePaneLock, createRequestPaneLock } from './lock';
import { createLockHolders } from './lock-holders';
import { createNotifyActivities } from './notify';
import { createPreflight } from './preflight';
import { createReadPeerActivities } from './read-peer';
import { createReceiptActivities } from './receipts';
import { createRouteActivities } from './route';
import { createSessionActivities } from './session';

/** What runs where the peer is reached: the controller's queue, or the peer worker's. */
export function createPeerActivities(deps: PeerDeps) {
  return {
    preflight: createPreflight(deps),
    ...createSessionActivities(deps),
    ...createDeliveryActivities(deps),
    awaitAck: removingBuffers(deps, createAwaitAck(deps)),
    ...createInboxActivities(deps),
    ...createReadPeerActivities(deps),
    ...createReceiptActivities(deps),
    ...createCommandActivities(deps),
  };
}

/** What only the controller can run (its credentials, audit log, Temporal client, git, peers file). */
export function createControllerActivities(deps: ControllerDeps) {
  return {
    refreshCredentials: createRefreshCredentials(deps),
    audit: createAudit(deps),
    requestPaneLock: createRequestPaneLock(deps),
    releasePaneLock: createReleasePaneLock(deps),
    lockHolders: createLockHolders(),
    ...createFleetActivities(deps),
    gitSync: createGitSync(deps),
    ...createRouteActivities(deps),
    ...createNotifyActivities(deps),
  };
}

/** Everything the controller worker registers: its own activities and the peer activities of SSH and local peers. */
export function createActivities(deps: ControllerDeps) {
  return { ...createPeerActivities(deps), ...createControllerActivities(deps) };
}

export type PeerActivities = ReturnType<typeof createPeerActivities>;
export type ControllerActivities = ReturnType<typeof createControllerActivities>;
export type Activities = ReturnType<typeof createActivities>;
export type { ControllerDeps, PeerDeps } from './context';

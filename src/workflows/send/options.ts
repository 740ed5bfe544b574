/**
 * The send's timeout and retry groups (QUICK and CREDENTIALS are shared, in ../activity-options),
 * and its controller-side activity stubs. Peer-side stubs are made per route (./peer.ts).
 */
import { type ActivityOptions, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { CREDENTIALS, QUICK } from '../activity-options';

/** Session restart: slow (the agent must start), heartbeating; twice at most, a restart loop helps nobody. */
export const RECOVERY: ActivityOptions = {
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 2 },
};

/** Delivery: a 5,000-line text may take a while (heartbeats notice a dead worker); idempotent, so retrying is safe. */
export const DELIVERY: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
};

/** Ack poll: long, heartbeating every poll so a dead worker is noticed in seconds. */
export const ACK_POLL: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
};

/** Credential pushes: always from the controller (the token never travels through Temporal). */
export const credentials = proxyActivities<Activities>(CREDENTIALS);

/** Controller-side quick steps (the pane lock). */
export const controller = proxyActivities<Activities>(QUICK);

/** Audit: local file append; retry generously, it must not be lost. */
const AUDIT: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 10 },
};
export const auditing = proxyActivities<Activities>(AUDIT);

/**
 * Sends recorded before the lean-send patch (LEAN_SEND_PATCH) asked for the pane and wrote the
 * audit line as scheduled activities. Since then both are local activities: controller-side
 * bookkeeping that needs no round trip through the server's task queue, one marker event each
 * instead of scheduled/started/completed plus a workflow task. Same timeouts and retries.
 */
export const LEAN_SEND_PATCH = 'lean-send-bookkeeping';
export const localController = proxyLocalActivities<Activities>(QUICK);

/**
 * Sends since LEAN_LOCK_PATCH (which implies LEAN_SEND_PATCH and replaces its marker) let the
 * pane go from a local activity (releasePaneLock) instead of signalling the lock from the
 * workflow: one marker instead of the signal, its echo and the workflow task the echo causes.
 */
export const LEAN_LOCK_PATCH = 'lean-lock-release';
export const localAuditing = proxyLocalActivities<Activities>(AUDIT);

/**
 * Sends since LEAN_HISTORY_PATCH (which implies LEAN_LOCK_PATCH and replaces its marker) skip
 * the upsert of Peer and Outcome at their start when whoever started them gave both (the CLI's
 * startSend, a broadcast's children): one event fewer. A start without them (the UI's form)
 * still gets the upsert. They also have the ack step remove the delivery's tmux buffers once it
 * has decided (activities/ack-cleanup.ts): no cleanup activity of its own, six events fewer,
 * unless the ack says it could not (an older peer worker, a failed removal).
 */
export const LEAN_HISTORY_PATCH = 'lean-send-history';

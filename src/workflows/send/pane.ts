/**
 * Step 4, the pane lock: one send at a time per pane. It is asked for while preflight runs and
 * waited for after the session step; the lock workflow signals the grant (SendState.lockWasGranted).
 */
import { ApplicationFailure, condition, log } from '@temporalio/workflow';
import { ErrorType } from '../../contracts/errors';
import type { PreflightReport } from '../../contracts/preflight';
import { LOCK_LEASE_MS, paneLockId, releasePane } from '../pane-lock';
import { lockNotGranted } from './messages';
import { controller, localController } from './options';
import type { Send } from './state';

/** Asks for the pane lock (its paneLock step waits from now); the promise settles when the request is in. */
export function askForPane(send: Send): Promise<void> {
  const { state } = send;
  const lockId = paneLockId(send.peer);
  state.lockId = lockId;
  state.lockRec = state.pending('paneLock');
  const stubs = state.lean ? localController : controller; // a local activity since LEAN_SEND_PATCH
  const requested = stubs.requestPaneLock.executeWithOptions({ summary: `ask for the pane lock ${lockId}` }, [
    { lockWorkflowId: lockId, leaseMs: LOCK_LEASE_MS },
  ]);
  // Awaited in awaitPane, after preflight: a request that failed before then is that step's
  // failure, not an unhandled rejection that fails every workflow task of the send. No command.
  requested.catch(() => undefined);
  return requested;
}

/** Lets the pane go: by a local activity since LEAN_LOCK_PATCH, else by a signal from here. */
export async function letGoOfPane(send: Send, holds: boolean): Promise<void> {
  const { state, workflowId } = send;
  if (!state.leanLock || !state.lockId) return releasePane(state.lockId, workflowId, holds);
  try {
    await localController.releasePaneLock.executeWithOptions({ summary: `let go of the pane lock ${state.lockId}` }, [
      { lockWorkflowId: state.lockId },
    ]);
  } catch (err) {
    if (holds)
      log.warn('could not release the pane lock; the lock will notice its holder closed', { error: String(err) });
  }
}

/** The wait while the grant has not come: its signal on the way, or the lock's queue (see awaitPane). */
const paneNotYetGranted = (peer: string, lockId: string): string =>
  `the pane lock ${lockId}: its grant is on the way, or another send to ${peer} holds the pane`;

/** Waits for the grant: at most the busy wait plus half an hour. */
export async function awaitPane(send: Send, lockRequested: Promise<void>, report: PreflightReport): Promise<void> {
  const { peer, state } = send;
  const lockId = state.lockId ?? paneLockId(peer);
  state.progress.phase = 'paneLock';
  await lockRequested;
  // Not granted yet does not mean another send holds the pane. The grant is a signal the lock
  // workflow sends on its own workflow task after the request (signal-with-start) is in, and it
  // reaches this send on yet another task; preflight, policy, credentials and session are often
  // quicker than that round trip, above all when many sends start at once on a busy worker (20
  // sends, one per pane, showed 70 "another send … holds the pane" lines, all false). Nothing
  // here knows who holds the lock (only the lock does), so the wait says only what is known.
  // Text only: the same commands, so recorded histories replay and no event is added.
  if (!state.lockGranted) state.waitFor(paneNotYetGranted(peer, lockId));
  const lockWaitMs = report.settings.busyWaitMs + 30 * 60_000;
  if (!(await condition(() => state.lockGranted, lockWaitMs))) {
    throw ApplicationFailure.nonRetryable(lockNotGranted(peer, lockId, lockWaitMs), ErrorType.LockTimeout);
  }
  state.holdsLock = true;
  state.waitFor(undefined);
  if (state.lockRec?.status === 'waiting') state.end(state.lockRec, 'done', 'granted');
}

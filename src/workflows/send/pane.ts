/**
 * Step 4, the pane lock: one send at a time per pane. It is asked for while preflight runs and
 * waited for after the session step; the lock workflow signals the grant (SendState.lockWasGranted).
 */
import { ApplicationFailure, condition } from '@temporalio/workflow';
import { ErrorType } from '../../contracts/errors';
import type { PreflightReport } from '../../contracts/preflight';
import { LOCK_LEASE_MS, paneLockId } from '../pane-lock';
import { lockNotGranted, paneHeld } from './messages';
import { controller } from './options';
import type { Send } from './state';

/** Asks for the pane lock (its paneLock step waits from now); the promise settles when the request is in. */
export function askForPane(send: Send): Promise<void> {
  const { state } = send;
  const lockId = paneLockId(send.peer);
  state.lockId = lockId;
  state.lockRec = state.pending('paneLock');
  return controller.requestPaneLock.executeWithOptions({ summary: `ask for the pane lock ${lockId}` }, [
    { lockWorkflowId: lockId, leaseMs: LOCK_LEASE_MS },
  ]);
}

/** Waits for the grant: at most the busy wait plus half an hour. */
export async function awaitPane(send: Send, lockRequested: Promise<void>, report: PreflightReport): Promise<void> {
  const { peer, state } = send;
  const lockId = state.lockId ?? paneLockId(peer);
  state.progress.phase = 'paneLock';
  await lockRequested;
  if (!state.lockGranted) state.waitFor(paneHeld(peer, lockId));
  const lockWaitMs = report.settings.busyWaitMs + 30 * 60_000;
  if (!(await condition(() => state.lockGranted, lockWaitMs))) {
    throw ApplicationFailure.nonRetryable(lockNotGranted(peer, lockId, lockWaitMs), ErrorType.LockTimeout);
  }
  state.holdsLock = true;
  state.waitFor(undefined);
  if (state.lockRec?.status === 'waiting') state.end(state.lockRec, 'done', 'granted');
}

/**
 * paneLock: one long-lived workflow per tmux pane that hands the pane to one send at a time,
 * in arrival order, so two sends never interleave their paste and C-m.
 *
 * The lock follows its holders: while a send holds the pane and another waits for it, the lock
 * asks every few seconds (a durable timer, then the quick controller activity lockHolders)
 * whether that send still runs; a holder nobody waits behind is asked when the idle clock rings.
 * A holder that has closed without releasing (terminated, timed out, failed, cancelled,
 * completed) loses the pane within seconds of someone waiting for it; queued requesters that
 * have closed leave the queue.
 * The lease stays as the last resort (a holder that runs but never releases). The query state
 * shows the last moves of the lock and why each happened.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { LockRequest, PaneLockInput } from '../contracts/pane-lock';
import { acquireSignal, lockGrantedSignal, lockStateQuery, releaseSignal } from './definitions';
import { LockBook } from './lock/book';
import { grantNext, hold } from './lock/hold';
import { IDLE_CLOCK_PATCH, IdleClock, LONE_HOLD_PATCH } from './lock/idle';

/** The lock's types (requests, moves, state) live in contracts/pane-lock.ts. */
export type * from '../contracts/pane-lock';
export { acquireSignal, lockGrantedSignal, lockStateQuery, releaseSignal };
export { HOLDER_CHECK_MS } from './lock/hold';

/**
 * A requester lets the pane go (also sent while still queued, so the lock forgets the request).
 * A holder whose signal cannot be delivered is logged: the lock notices a closed holder anyway.
 */
export async function releasePane(lockId: string | undefined, requester: string, holds: boolean): Promise<void> {
  if (!lockId) return;
  try {
    await getExternalWorkflowHandle(lockId).signal(releaseSignal, { requester });
  } catch (err) {
    if (holds)
      log.warn('could not release the pane lock; the lock will notice its holder closed', {
        lockId,
        error: String(err),
      });
  }
}

/**
 * Workflow id of the lock for a peer's agent pane. A peer's config names exactly one pane, so
 * one lock per peer is one lock per pane — and it is known before preflight, so the lock can be
 * asked for while preflight runs.
 */
export function paneLockId(peer: string): string {
  return `lock-${peer}`.replace(/[^A-Za-z0-9_.@-]/g, '_');
}

/**
 * How long a send may hold the pane before the lock takes it back: longer than the longest a
 * send can hold it (busy wait ≤ 2 h by the config schema, plus every retry of deliver, submit
 * and awaitAck). A holder that closes frees the pane long before (HOLDER_CHECK_MS).
 */
export const LOCK_LEASE_MS = 3 * 3_600_000;

export async function paneLock(input: PaneLockInput): Promise<void> {
  const book = new LockBook(input);
  setHandler(acquireSignal, (req) => book.acquire(req));
  setHandler(releaseSignal, ({ requester }) => book.release(requester));
  setHandler(lockStateQuery, () => book.state());

  const clock = patched(IDLE_CLOCK_PATCH) ? new IdleClock(input.idleMs) : undefined;
  const lone = clock && patched(LONE_HOLD_PATCH) ? clock : undefined;
  let carried = input.holder;
  for (;;) {
    let current: LockRequest;
    if (carried) {
      current = carried.request;
      book.carry(carried);
      carried = undefined;
    } else {
      const next = await grantNext(book, input.idleMs, clock);
      if (next === 'idle') return;
      if (next === 'none') continue;
      current = next;
    }

    const ended = await hold(book, input, current, book.leaseEndsAt ?? Date.now() + current.leaseMs, lone);
    if (ended.why === 'lease ran out') {
      log.warn('lock lease ran out; taking the pane back', { requester: current.requester, leaseMs: current.leaseMs });
    } else if (ended.why === 'holder closed') {
      log.warn('lock holder has closed without releasing; freeing the pane', {
        requester: current.requester,
        status: ended.detail,
      });
    }
    book.moved(current.requester, ended.why, ended.detail);
    book.freed();
    book.grants++;
    if (workflowInfo().continueAsNewSuggested || book.grants >= 200) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof paneLock>({ idleMs: input.idleMs, waiting: book.waiting, moves: book.moves });
    }
  }
}

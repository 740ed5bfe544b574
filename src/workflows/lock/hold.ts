/**
 * The pane lock's moves that talk to other workflows: telling the next requester the pane is its
 * turn, and holding — following the holder every few seconds (a durable timer, then the quick
 * controller activity lockHolders) until it releases, closes or runs out of lease.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { HolderStatus } from '../../contracts/pane-lock';
import type { LockMoveReason, LockRequest, PaneLockInput } from '../../contracts/pane-lock';
import { lockGrantedSignal } from '../definitions';
import type { LockBook } from './book';
import type { IdleClock } from './idle';

/** How often the lock checks that its holder (and its queue) still runs. */
export const HOLDER_CHECK_MS = 3000;

/** Holds before this patch waited for the release with one timer for the whole lease. */
const HOLDER_CHECKS_PATCH = 'pane-lock-follows-holders';

/** A quick look-up on the controller; a failed one keeps the holder (the next check tries again). */
const checks = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '2 seconds', maximumAttempts: 3 },
});

/**
 * Waits for a request (at most `idleMs`, or on the idle clock) and tells the first one the pane is its turn. Returns
 * it, 'idle' when nobody asked (the lock ends), 'none' when there was nobody to tell after all.
 */
export async function grantNext(
  book: LockBook,
  idleMs: number,
  clock: IdleClock | undefined,
): Promise<LockRequest | 'idle' | 'none'> {
  if (clock) {
    if (!(await clock.waitFor(() => book.waiting.length > 0))) return 'idle';
  } else if (!(await condition(() => book.waiting.length > 0, idleMs)) && book.waiting.length === 0) return 'idle';
  const next = book.waiting.shift();
  if (!next) return 'none';
  book.offer(next);
  try {
    await getExternalWorkflowHandle(next.requester).signal(lockGrantedSignal, {
      lockWorkflowId: workflowInfo().workflowId,
    });
  } catch (err) {
    log.warn('lock requester is gone; skipping it', { requester: next.requester, error: String(err) });
    book.moved(next.requester, 'requester gone', String(err));
    book.holder = null;
    return 'none';
  }
  book.granted(next);
  return next;
}

/**
 * Waits until the holder releases, closes or runs out of lease; says which. With `lone` (the
 * idle clock, since LONE_HOLD_PATCH) a holder nobody waits behind is checked when the clock
 * rings; from the moment someone asks for the pane, every HOLDER_CHECK_MS as before. A closed
 * holder blocks nobody until then, and the send's usual hold costs no timer.
 */
export async function hold(
  book: LockBook,
  input: PaneLockInput,
  current: LockRequest,
  endsAt: number,
  lone?: IdleClock,
): Promise<{ why: LockMoveReason; detail?: string }> {
  if (!patched(HOLDER_CHECKS_PATCH)) {
    // Recorded before holders were checked: one timer for the whole lease.
    return (await condition(() => book.released, current.leaseMs)) ? { why: 'released' } : { why: 'lease ran out' };
  }
  for (;;) {
    if (book.released) return { why: 'released' };
    const left = endsAt - Date.now();
    if (left <= 0) return { why: 'lease ran out' };
    if (lone && book.waiting.length === 0) {
      if (!(await lone.ringOr(() => book.released || book.waiting.length > 0))) continue;
    } else if (await condition(() => book.released, Math.min(HOLDER_CHECK_MS, left))) return { why: 'released' };
    if (Date.now() >= endsAt) return { why: 'lease ran out' };
    const closed = await checkHolders(book, current);
    if (book.released) return { why: 'released' };
    if (closed) return { why: 'holder closed', detail: closed.status };
    if (workflowInfo().continueAsNewSuggested) {
      // A long hold: start afresh, keeping the holder (already told) and the rest of its lease.
      await condition(allHandlersFinished);
      if (!book.released) {
        await continueAsNew<(input: PaneLockInput) => Promise<void>>({
          idleMs: input.idleMs,
          waiting: book.waiting,
          holder: { request: current, grantedAt: book.holderSince ?? Date.now(), leaseEndsAt: endsAt },
          moves: book.moves,
        });
      }
    }
  }
}

/**
 * Asks whether the holder and the queued requesters still run. Drops the queued ones that
 * have closed; returns the holder's status when it has closed, else undefined.
 */
async function checkHolders(book: LockBook, current: LockRequest): Promise<HolderStatus | undefined> {
  let statuses: HolderStatus[];
  try {
    statuses = await checks.lockHolders({
      workflowIds: [current.requester, ...book.waiting.map((w) => w.requester)],
    });
  } catch (err) {
    log.warn('could not check the lock holders; keeping the holder', {
      requester: current.requester,
      error: String(err),
    });
    return undefined;
  }
  for (const s of book.checked(current, statuses)) {
    log.info('a queued lock requester has closed; dropped from the queue', { ...s });
  }
  return statuses.find((s) => s.workflowId === current.requester && s.closed);
}

/**
 * paneLock: one long-lived workflow per tmux pane that hands the pane to one send at a time,
 * in arrival order, so two sends never interleave their paste and C-m.
 *
 * The lock follows its holders: while a send holds the pane, the lock asks every few seconds
 * (a durable timer, then the quick controller activity lockHolders) whether that send still
 * runs. A holder that has closed without releasing (terminated, timed out, failed, cancelled,
 * completed) loses the pane within seconds; queued requesters that have closed leave the queue.
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
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { HolderStatus } from '../activities/lock-holders';

import type {
  CarriedHolder,
  LockMove,
  LockMoveReason,
  LockRequest,
  PaneLockInput,
  PaneLockState,
} from '../contracts/pane-lock';
import { acquireSignal, lockGrantedSignal, lockStateQuery, releaseSignal } from './definitions';

export type { CarriedHolder, LockMove, LockMoveReason, LockRequest, PaneLockInput, PaneLockState };
export { acquireSignal, lockGrantedSignal, lockStateQuery, releaseSignal };

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

/** How often the lock checks that its holder (and its queue) still runs. */
export const HOLDER_CHECK_MS = 3000;

/** Holds before this patch waited for the release with one timer for the whole lease. */
const HOLDER_CHECKS_PATCH = 'pane-lock-follows-holders';

const MOVES_KEPT = 20;

/** A quick look-up on the controller; a failed one keeps the holder (the next check tries again). */
const checks = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '2 seconds', maximumAttempts: 3 },
});

export async function paneLock(input: PaneLockInput): Promise<void> {
  const waiting: LockRequest[] = [...(input.waiting ?? [])];
  const moves: LockMove[] = [...(input.moves ?? [])];
  let carried = input.holder;
  let holder: LockRequest | null = null;
  let holderSince: number | null = null;
  let leaseEndsAt: number | null = null;
  let released = false;
  let grants = 0;
  let lastCheck: PaneLockState['lastCheck'] = null;

  const moved = (requester: string, why: LockMoveReason, detail?: string) => {
    moves.push({ requester, why, ...(detail === undefined ? {} : { detail }), at: Date.now() });
    if (moves.length > MOVES_KEPT) moves.splice(0, moves.length - MOVES_KEPT);
  };

  setHandler(acquireSignal, (req) => {
    if (holder?.requester === req.requester || waiting.some((w) => w.requester === req.requester)) return;
    waiting.push(req);
  });
  setHandler(releaseSignal, ({ requester }) => {
    if (holder?.requester === requester) released = true;
    const i = waiting.findIndex((w) => w.requester === requester);
    if (i >= 0) waiting.splice(i, 1);
  });
  setHandler(lockStateQuery, () => ({
    holder: holder?.requester ?? null,
    holderSince,
    leaseEndsAt,
    waiting: waiting.map((w) => w.requester),
    grants,
    moves: [...moves],
    lastCheck,
  }));

  /**
   * Asks whether the holder and the queued requesters still run. Drops the queued ones that
   * have closed; returns the holder's status when it has closed, else undefined.
   */
  const checkHolders = async (current: LockRequest): Promise<HolderStatus | undefined> => {
    let statuses: HolderStatus[];
    try {
      statuses = await checks.lockHolders({
        workflowIds: [current.requester, ...waiting.map((w) => w.requester)],
      });
    } catch (err) {
      log.warn('could not check the lock holders; keeping the holder', {
        requester: current.requester,
        error: String(err),
      });
      return undefined;
    }
    lastCheck = { at: Date.now(), statuses: statuses.map(({ workflowId, status }) => ({ workflowId, status })) };
    for (const s of statuses) {
      if (!s.closed || s.workflowId === current.requester) continue;
      const i = waiting.findIndex((w) => w.requester === s.workflowId);
      if (i < 0) continue;
      waiting.splice(i, 1);
      moved(s.workflowId, 'closed while queued', s.status);
      log.info('a queued lock requester has closed; dropped from the queue', { ...s });
    }
    return statuses.find((s) => s.workflowId === current.requester && s.closed);
  };

  /** Waits until the holder releases, closes or runs out of lease; says which. */
  const hold = async (current: LockRequest, endsAt: number): Promise<{ why: LockMoveReason; detail?: string }> => {
    if (!patched(HOLDER_CHECKS_PATCH)) {
      // Recorded before holders were checked: one timer for the whole lease.
      return (await condition(() => released, current.leaseMs)) ? { why: 'released' } : { why: 'lease ran out' };
    }
    for (;;) {
      if (released) return { why: 'released' };
      const left = endsAt - Date.now();
      if (left <= 0) return { why: 'lease ran out' };
      if (await condition(() => released, Math.min(HOLDER_CHECK_MS, left))) return { why: 'released' };
      if (Date.now() >= endsAt) return { why: 'lease ran out' };
      const closed = await checkHolders(current);
      if (released) return { why: 'released' };
      if (closed) return { why: 'holder closed', detail: closed.status };
      if (workflowInfo().continueAsNewSuggested) {
        // A long hold: start afresh, keeping the holder (already told) and the rest of its lease.
        await condition(allHandlersFinished);
        if (!released) {
          await continueAsNew<typeof paneLock>({
            idleMs: input.idleMs,
            waiting,
            holder: { request: current, grantedAt: holderSince ?? Date.now(), leaseEndsAt: endsAt },
            moves,
          });
        }
      }
    }
  };

  for (;;) {
    let current: LockRequest;
    if (carried) {
      current = carried.request;
      holder = current;
      holderSince = carried.grantedAt;
      leaseEndsAt = carried.leaseEndsAt;
      released = false;
      carried = undefined;
    } else {
      if (!(await condition(() => waiting.length > 0, input.idleMs)) && waiting.length === 0) return;
      const next = waiting.shift();
      if (!next) continue;
      current = next;
      holder = next;
      released = false;
      try {
        await getExternalWorkflowHandle(next.requester).signal(lockGrantedSignal, {
          lockWorkflowId: workflowInfo().workflowId,
        });
      } catch (err) {
        log.warn('lock requester is gone; skipping it', { requester: next.requester, error: String(err) });
        moved(next.requester, 'requester gone', String(err));
        holder = null;
        continue;
      }
      holderSince = Date.now();
      leaseEndsAt = holderSince + next.leaseMs;
      moved(next.requester, 'granted');
    }

    const ended = await hold(current, leaseEndsAt ?? Date.now() + current.leaseMs);
    if (ended.why === 'lease ran out') {
      log.warn('lock lease ran out; taking the pane back', { requester: current.requester, leaseMs: current.leaseMs });
    } else if (ended.why === 'holder closed') {
      log.warn('lock holder has closed without releasing; freeing the pane', {
        requester: current.requester,
        status: ended.detail,
      });
    }
    moved(current.requester, ended.why, ended.detail);
    holder = null;
    holderSince = null;
    leaseEndsAt = null;
    grants++;
    if (workflowInfo().continueAsNewSuggested || grants >= 200) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof paneLock>({ idleMs: input.idleMs, waiting, moves });
    }
  }
}

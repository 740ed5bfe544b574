/**
 * paneLock: one long-lived workflow per tmux pane that hands the pane to one send at a time,
 * in arrival order, so two sends never interleave their paste and C-m. A holder that never
 * releases (terminated, lost) loses the lock when its lease runs out.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';

export interface LockRequest {
  requester: string;
  /** Longest time the requester may hold the pane. */
  leaseMs: number;
}

export interface PaneLockInput {
  /** The lock workflow ends after this long without requests. */
  idleMs: number;
  /** Requests carried over continue-as-new. */
  waiting?: LockRequest[];
}

export interface PaneLockState {
  holder: string | null;
  waiting: string[];
  grants: number;
}

export const acquireSignal = defineSignal<[LockRequest]>('acquire');
export const releaseSignal = defineSignal<[{ requester: string }]>('release');
/** Sent by the lock to the requester when the pane is its turn. */
export const lockGrantedSignal = defineSignal<[{ lockWorkflowId: string }]>('lockGranted');
export const lockStateQuery = defineQuery<PaneLockState>('lockState');

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
 * and awaitAck).
 */
export const LOCK_LEASE_MS = 3 * 3_600_000;

export async function paneLock(input: PaneLockInput): Promise<void> {
  const waiting: LockRequest[] = [...(input.waiting ?? [])];
  let holder: LockRequest | null = null;
  let released = false;
  let grants = 0;

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
    waiting: waiting.map((w) => w.requester),
    grants,
  }));

  for (;;) {
    if (!(await condition(() => waiting.length > 0, input.idleMs)) && waiting.length === 0) return;
    const next = waiting.shift();
    if (!next) continue;
    holder = next;
    released = false;
    try {
      await getExternalWorkflowHandle(next.requester).signal(lockGrantedSignal, {
        lockWorkflowId: workflowInfo().workflowId,
      });
    } catch (err) {
      log.warn('lock requester is gone; skipping it', { requester: next.requester, error: String(err) });
      holder = null;
      continue;
    }
    if (!(await condition(() => released, next.leaseMs))) {
      log.warn('lock lease ran out; taking the pane back', { requester: next.requester, leaseMs: next.leaseMs });
    }
    holder = null;
    grants++;
    if (workflowInfo().continueAsNewSuggested || grants >= 200) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof paneLock>({ idleMs: input.idleMs, waiting });
    }
  }
}

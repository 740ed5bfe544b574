/**
 * Contracts of the paneLock workflow: one long-lived lock per tmux pane that hands the pane to
 * one send at a time. Plain JSON only (epoch ms).
 */

export interface LockRequest {
  requester: string;
  /** Longest time the requester may hold the pane. */
  leaseMs: number;
}

/** Why the pane changed hands. */
export type LockMoveReason =
  'granted' | 'released' | 'holder closed' | 'lease ran out' | 'requester gone' | 'closed while queued';

/** One change of the lock: who got or lost the pane (or left the queue), why, and when. */
export interface LockMove {
  requester: string;
  why: LockMoveReason;
  /** E.g. the status the holder closed with (TERMINATED), or the error of a failed grant. */
  detail?: string;
  at: number;
}

/** A holder carried over continue-as-new: it was told already and keeps the rest of its lease. */
export interface CarriedHolder {
  request: LockRequest;
  grantedAt: number;
  leaseEndsAt: number;
}

export interface PaneLockInput {
  /** The lock workflow ends after this long without requests. */
  idleMs: number;
  /** Requests carried over continue-as-new. */
  waiting?: LockRequest[];
  /** The holder carried over continue-as-new. */
  holder?: CarriedHolder;
  /** The last moves, carried over continue-as-new. */
  moves?: LockMove[];
}

export interface PaneLockState {
  holder: string | null;
  /** When the holder was granted the pane. */
  holderSince: number | null;
  /** When the holder's lease runs out (the last resort). */
  leaseEndsAt: number | null;
  waiting: string[];
  /** Holds ended (released, holder closed, lease ran out) in this run of the lock. */
  grants: number;
  /** The last changes of the lock, oldest first: why the pane moved. */
  moves: LockMove[];
  /** The last look at the holder and the queue: when, and each one's workflow status. */
  lastCheck: { at: number; statuses: { workflowId: string; status: string }[] } | null;
}

// The lockHolders activity: whether each requester still runs.
/** What the lock needs to know about one requester. */
export interface HolderStatus {
  workflowId: string;
  /** RUNNING (or CONTINUED_AS_NEW), or the status it closed with; NOT_FOUND when the server has no such workflow. */
  status: string;
  /** True when the workflow can no longer hold or use the pane. */
  closed: boolean;
}

export interface LockHoldersInput {
  workflowIds: string[];
}

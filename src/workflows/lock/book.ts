/**
 * The pane lock's books: who holds the pane since when and until when, who waits, the last
 * moves and why, and the last look at the holders. The signal and query handlers of paneLock
 * act on it; deterministic, no commands.
 */
import type { HolderStatus } from '../../contracts/pane-lock';
import type {
  CarriedHolder,
  LockMove,
  LockMoveReason,
  LockRequest,
  PaneLockInput,
  PaneLockState,
} from '../../contracts/pane-lock';

const MOVES_KEPT = 20;

export class LockBook {
  readonly waiting: LockRequest[];
  readonly moves: LockMove[];
  holder: LockRequest | null = null;
  /** When the holder was granted the pane. */
  holderSince: number | null = null;
  /** When the holder's lease runs out (the last resort). */
  leaseEndsAt: number | null = null;
  /** The holder has let the pane go. */
  released = false;
  /** Holds ended in this run of the lock. */
  grants = 0;
  lastCheck: PaneLockState['lastCheck'] = null;

  constructor(input: PaneLockInput) {
    this.waiting = [...(input.waiting ?? [])];
    this.moves = [...(input.moves ?? [])];
  }

  /** A request joins the queue (once: the holder and the queued are not queued again). */
  acquire(req: LockRequest): void {
    if (this.holder?.requester === req.requester || this.waiting.some((w) => w.requester === req.requester)) return;
    this.waiting.push(req);
  }

  /** A requester lets go: the holder's pane, or its place in the queue. */
  release(requester: string): void {
    if (this.holder?.requester === requester) this.released = true;
    const i = this.waiting.findIndex((w) => w.requester === requester);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  state(): PaneLockState {
    return {
      holder: this.holder?.requester ?? null,
      holderSince: this.holderSince,
      leaseEndsAt: this.leaseEndsAt,
      waiting: this.waiting.map((w) => w.requester),
      grants: this.grants,
      moves: [...this.moves],
      lastCheck: this.lastCheck,
    };
  }

  moved(requester: string, why: LockMoveReason, detail?: string): void {
    this.moves.push({ requester, why, ...(detail === undefined ? {} : { detail }), at: Date.now() });
    if (this.moves.length > MOVES_KEPT) this.moves.splice(0, this.moves.length - MOVES_KEPT);
  }

  /** The holder carried over continue-as-new: told already, it keeps the rest of its lease. */
  carry(carried: CarriedHolder): void {
    this.holder = carried.request;
    this.holderSince = carried.grantedAt;
    this.leaseEndsAt = carried.leaseEndsAt;
    this.released = false;
  }

  /** `next` (taken from the queue) is about to be told the pane is its turn. */
  offer(next: LockRequest): void {
    this.holder = next;
    this.released = false;
  }

  /** `next` was told: its lease runs from now. */
  granted(next: LockRequest): void {
    this.holderSince = Date.now();
    this.leaseEndsAt = this.holderSince + next.leaseMs;
    this.moved(next.requester, 'granted');
  }

  /** The hold ended (or the requester was gone before it began): nobody holds the pane. */
  freed(): void {
    this.holder = null;
    this.holderSince = null;
    this.leaseEndsAt = null;
  }

  /** Records a look at the holders; drops the queued requesters that have closed. */
  checked(current: LockRequest, statuses: HolderStatus[]): HolderStatus[] {
    this.lastCheck = { at: Date.now(), statuses: statuses.map(({ workflowId, status }) => ({ workflowId, status })) };
    const dropped: HolderStatus[] = [];
    for (const s of statuses) {
      if (!s.closed || s.workflowId === current.requester) continue;
      const i = this.waiting.findIndex((w) => w.requester === s.workflowId);
      if (i < 0) continue;
      this.waiting.splice(i, 1);
      this.moved(s.workflowId, 'closed while queued', s.status);
      dropped.push(s);
    }
    return dropped;
  }
}

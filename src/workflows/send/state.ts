/**
 * What one send carries from step to step: its input and path, and the state its steps leave
 * for the later ones (the pane lock, recoveries, the delivery attempts, the last screen).
 */
import type { DeliverResult } from '../../contracts/deliver';
import type { ScreenSummary } from '../../contracts/session';
import type { PeerRoute } from '../../contracts/route';
import type { DeliveryPath, SendDirectiveInput, StepRecord, Workload } from '../../contracts/send';
import { deliveryIdFor } from './input';
import { StepLog } from './steps';

/** The send as accepted: the text normalised, the path chosen. */
export interface Send {
  readonly input: SendDirectiveInput;
  readonly peer: string;
  readonly workflowId: string;
  readonly path: DeliveryPath;
  readonly workload: Workload;
  readonly state: SendState;
}

/** Where an attempt's text is in the agent's records, once it was pasted. */
export type PastedRef = { cursor: NonNullable<ScreenSummary['cursor']>; receiptSha256: string };

export class SendState extends StepLog {
  // the pane lock
  lockId: string | undefined;
  lockGranted = false;
  /** The paneLock step: waiting from the request, done when granted (its time is the wait for the pane). */
  lockRec: StepRecord | undefined;
  holdsLock = false;
  /** Bookkeeping (the pane request, the audit line) as local activities: LEAN_SEND_PATCH. */
  lean = false;
  /** The pane let go by a local activity: LEAN_LOCK_PATCH. */
  leanLock = false;
  /** Peer and Outcome from the start when given there: LEAN_HISTORY_PATCH. */
  leanHistory = false;
  /** Where the peer's steps run, once known. */
  route: PeerRoute | undefined;

  // what the audit line tells
  credentialsAction: 'pushed' | 'skipped' | undefined;
  recovered = false;
  extraEnters = 0;
  delivered: { bytes: number; sha256: string } | undefined;

  // recoveries of a failed turn or a lost session, each bounded
  authRestarted = false;
  overloadedTries = 0;
  rateLimitWaitedMs = 0;
  sessionLosses = 0;
  /** After a restart or a failed turn, the error left on screen is history, not the agent's state. */
  staleErrorOk = false;

  // delivery attempts: a fresh delivery id for each
  readonly baseDeliveryId: string;
  deliveryId: string;
  redeliveries = 0;
  /** The last look at the screen and the last paste (they feed the outcome). */
  screen: ScreenSummary | undefined;
  pasted: DeliverResult | undefined;
  /** This attempt's text and where its receipt would be, once it was pasted. */
  pastedRef: PastedRef | undefined;

  constructor(workflowId: string, peer: string) {
    super(workflowId, peer);
    this.baseDeliveryId = deliveryIdFor(workflowId);
    this.deliveryId = this.baseDeliveryId;
  }

  /** The lock's grant signal: may come at any time, even before the send waits for it. */
  lockWasGranted(): void {
    this.lockGranted = true;
    if (this.lockRec?.status === 'waiting') this.end(this.lockRec, 'done', 'granted');
  }

  /** The next attempt delivers under a fresh id: `-r<n>` after a failed turn, `-s<n>` after a lost session. */
  redeliver(after: 'failedTurn' | 'lostSession'): void {
    this.redeliveries++;
    this.deliveryId =
      after === 'failedTurn'
        ? `${this.baseDeliveryId}-r${this.redeliveries}`
        : `${this.baseDeliveryId}-s${this.sessionLosses}`;
  }

  /** Every delivery id this send used (the buffers to remove). */
  deliveryIds(): string[] {
    return [...new Set([this.baseDeliveryId, this.deliveryId])];
  }
}

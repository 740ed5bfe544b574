/**
 * One run of a peerJob (until it ends or continues as new): its carried state, its input, and
 * the activity stubs that reach its peer; how the run shows its state in the UI (search
 * attribute, current details). Workflow code: deterministic.
 */
import { setCurrentDetails, upsertSearchAttributes, type ActivityOptions } from '@temporalio/workflow';
import type { CarriedJobState, JobState, JobStatus, PeerJobInput } from '../../contracts/job';
import { JOB_STATE_ATTR, PEER_ATTR } from '../../contracts/search-attributes';
import { QUICK } from '../activity-options';
import { pendingStop, statusOf } from '../peer-job-state';
import { onPeer, resolveRoute } from '../routing';
import { detailsLine } from './messages';

/** Inbox scan: one round trip; a few quick tries, then the next scan tries again (the error shows in status). */
const SCANNING: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 3 },
};

type PeerStubs = ReturnType<typeof onPeer>;

export interface JobRun {
  readonly input: PeerJobInput;
  readonly s: CarriedJobState;
  readonly jobId: string;
  readonly peer: string;
  /** The inbox scan. */
  readonly scanning: PeerStubs;
  /** Moving a resolved phone-home is bookkeeping: a few fast tries, then a warning (nothing is lost). */
  readonly filing: PeerStubs;
  /** Reading the turn is one round trip: a few fast tries, then the next scan reads again. */
  readonly reading: PeerStubs;
  /** Set once per run: whether this run reads turns (a recorded history without the marker does not). */
  readsTurns?: boolean;
}

/** Shows the job in the UI's list and finds where its peer's steps run. */
export async function openJobRun(input: PeerJobInput, s: CarriedJobState): Promise<JobRun> {
  upsertSearchAttributes([
    { key: PEER_ATTR, value: s.peer },
    { key: JOB_STATE_ATTR, value: s.state },
  ]);
  showDetails(s); // from the first task (and again after continue-as-new): details live in memory only
  // The inbox scan and the filing run where the peer's steps run (the peer worker for via: worker).
  const route = await resolveRoute(s.peer);
  return {
    input,
    s,
    jobId: s.jobId,
    peer: s.peer,
    scanning: onPeer(route, SCANNING),
    filing: onPeer(route, QUICK),
    reading: onPeer(route, QUICK),
  };
}

/** The UI's "current details" line: the state, why it waits or what it is doing (`doing`), the last text's turn. */
export function showDetails(s: CarriedJobState, doing?: string): void {
  const stop = pendingStop(s);
  const why = doing ?? (s.state === 'awaiting-resolution' ? stop?.reason : undefined);
  setCurrentDetails(detailsLine(s.state, why, s.turn));
}

/** A new state, in the status, the search attribute and the details line. */
export function setState(s: CarriedJobState, next: JobState): void {
  if (s.state === next) return;
  s.state = next;
  upsertSearchAttributes([{ key: JOB_STATE_ATTR, value: next }]);
  showDetails(s);
}

/** The job ends waiting for a person: `why` says what to look at. */
export function needsAttention(s: CarriedJobState, why: string): JobStatus {
  s.attention = why;
  setState(s, 'needs-attention');
  return statusOf(s, Date.now());
}

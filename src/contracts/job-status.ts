/**
 * What a peerJob knows and shows: its state, the turn of the text it sent last, everything it
 * carries over continue-as-new, and the `status` query. Plain JSON only (epoch milliseconds).
 */
import type { GitSyncResult } from './git-sync';
import type { Completion, PhoneHome, Rejection, Resolution, StopReason } from './job-resolution';
import type { AckSource, SendResult, TurnState } from './send';

export type JobState =
  'sending' | 'watching' | 'awaiting-resolution' | 'resolving' | 'completing' | 'done' | 'halted' | 'needs-attention';

export const JOB_STATES: readonly JobState[] = [
  'sending',
  'watching',
  'awaiting-resolution',
  'resolving',
  'completing',
  'done',
  'halted',
  'needs-attention',
];

/** States in which the job's workflow has ended. */
export const FINAL_JOB_STATES: readonly JobState[] = ['done', 'halted', 'needs-attention'];

/** Where the agent's records stood before a text's paste, and its canonical sha256 (SendResult.turnRef). */
export type JobTurnRef = NonNullable<SendResult['turnRef']>;

/**
 * The turn of the text the job sent last (the directive, or a resolution): as the send ended,
 * then as the agent's own records (hook event log or transcript) show it at each inbox scan.
 */
export interface JobTurn {
  /** The send that delivered the text (`<jobId>-send-<n>`). */
  sendWorkflowId: string;
  /** What the text was: `the directive`, `resolution (b) of phone-home eval`. */
  of: string;
  /** working, done, queued, unknown, or `failed: <error>` (the agent's error type). */
  state: TurnState;
  /** What showed it: the hook event log, the session transcript, the screen alone (the send's ack), or nothing yet. */
  source: AckSource | null;
  /** Epoch ms (workflow time) of the last reading that changed it. */
  at: number;
  /** The agent's own words about a failure. */
  words?: string;
  /** What the state means for a person, when it needs saying (unconfirmed send, no records to follow). */
  hint?: string;
}

export interface LastAck {
  workflowId: string;
  outcome: string;
  at: number;
}

/** Everything a job knows; carried over continue-as-new as is. */
export interface CarriedJobState {
  jobId: string;
  peer: string;
  state: JobState;
  startedAt: number;
  /** The directive (and its footer) was acked or queued by the peer. */
  directiveSent: boolean;
  /** Sends started so far (numbers the child ids `<jobId>-send-<n>`). */
  sends: number;
  current?: PhoneHome;
  /** Phone-homes seen while another one was pending, first come first served. */
  queued: PhoneHome[];
  /** A budget stop waiting for a resolution. */
  budgetStopAt?: number;
  /** The last text's turn, as last seen. */
  turn?: JobTurn;
  /** Where to read that turn's later state (absent when the peer has no agent records). */
  turnRef?: JobTurnRef;
  /** A failed turn waiting for a resolution (epoch ms when the job saw it). */
  turnStopAt?: number;
  /** A resolution accepted but not yet applied. */
  pendingResolution?: Resolution;
  resolutions: Resolution[];
  /** Every phone-home counted, as `topic`, in order. */
  phoneHomesSeen: string[];
  /** `topic#hash` of phone-homes already resolved (the same file seen again is not new). */
  resolvedKeys: string[];
  /** Inbox files the job has handled, name → sum (see ScanInboxInput.known). */
  knownFiles: Record<string, string>;
  /** Files in the inbox before the directive was sent: not this job's (unless they change). */
  ignoredAtStart: string[];
  budgetMs: number | null;
  budgetEndsAt: number | null;
  /** Budget left while paused (the job waits for a person). */
  budgetPausedLeftMs: number | null;
  completion?: Completion;
  lastAck?: LastAck;
  gitSync?: GitSyncResult & { at: number };
  attention?: string;
  lastRejected?: Rejection;
  scanError?: ScanError;
  lastScanAt?: number;
  scanIntervalMs: number;
  inboxDir?: string;
  warnings: string[];
  /** How many times the job continued as new. */
  runs: number;
}

export interface ScanError {
  type: string;
  message: string;
  at: number;
  /** Failed scans in a row. */
  consecutive: number;
}

/** The `status` query. */
export interface JobStatus {
  jobId: string;
  peer: string;
  state: JobState;
  /** Why the job waits for a person (state awaiting-resolution or resolving). */
  reason?: StopReason;
  current?: PhoneHome;
  /** The turn of the text the job sent last (the directive, or a resolution). */
  turn?: JobTurn;
  /** Phone-homes waiting behind `current`. */
  queued: PhoneHome[];
  resolutions: Resolution[];
  phoneHomesSeen: string[];
  budgetMs: number | null;
  /** When the budget runs out (epoch ms); null when there is none or it is paused. */
  budgetEndsAt: number | null;
  /** As of the workflow's last step; null when there is no budget. */
  budgetLeftMs: number | null;
  budgetPaused: boolean;
  lastAck?: LastAck;
  gitSync?: GitSyncResult & { at: number };
  completion?: Completion;
  /** Why the job needs a person (state needs-attention). */
  attention?: string;
  lastRejected?: Rejection;
  scanError?: ScanError;
  lastScanAt?: number;
  inboxDir?: string;
  ignoredAtStart: string[];
  sends: number;
  startedAt: number;
  runs: number;
  warnings: string[];
}

/**
 * Contracts of the peerJob workflow: input, messages (signals, update, query) and status.
 * Plain JSON only (epoch milliseconds, no Date/Map/Set): Temporal's default converter is
 * JSON, and a person types these payloads into the Web UI's "send signal" box.
 */
import type { AckSource, SendResult, TurnState, Workload } from './send';

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

/**
 * Why a job waits for a person: the peer phoned home, its wall-clock budget ran out, or the turn
 * of the text the job last sent failed (the agent's error, after the send's own recovery).
 */
export type StopReason = 'phone-home' | 'budget' | 'turn-failed';

export type Decision = 'accept-and-revise' | 'rerun-with-fix' | 'halt-for-review';
export type DecisionLetter = 'a' | 'b' | 'c';

export const DECISIONS: readonly Decision[] = ['accept-and-revise', 'rerun-with-fix', 'halt-for-review'];

/** The reference's (a) / (b) / (c). */
export const DECISION_BY_LETTER: Readonly<Record<DecisionLetter, Decision>> = {
  a: 'accept-and-revise',
  b: 'rerun-with-fix',
  c: 'halt-for-review',
};

/**
 * A decision from what a person typed: a letter (`a`, `B`, `(c)`) or a decision name
 * (`rerun-with-fix`, `Rerun-With-Fix`). Undefined for anything else.
 */
export function parseDecision(input: unknown): Decision | undefined {
  if (typeof input !== 'string') return undefined;
  const s = input
    .trim()
    .toLowerCase()
    .replace(/^\((.)\)$/, '$1');
  if (s === 'a' || s === 'b' || s === 'c') return DECISION_BY_LETTER[s];
  return (DECISIONS as readonly string[]).includes(s) ? (s as Decision) : undefined;
}

/** The letter of a decision, for messages: `rerun-with-fix` → `b`. */
export function decisionLetter(decision: Decision): DecisionLetter {
  return decision === 'accept-and-revise' ? 'a' : decision === 'rerun-with-fix' ? 'b' : 'c';
}

/** A name that is safe as a file name or a path segment on the peer: no `/`, no `..`, plain characters. */
export const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export function isSafeName(name: string): boolean {
  return SAFE_NAME.test(name) && !name.includes('..');
}

/** Turns free text ("Fix the GPU OOM!") into a job slug (`fix-the-gpu-oom`). */
export function slugify(text: string, maxLength = 40): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, maxLength)
    .replace(/[-.]+$/, '');
  return slug || 'job';
}

/** The workflow id of a job: `job-<peer>-<slug>` (the slug is cleaned with `slugify`). */
export function jobWorkflowId(peer: string, slug: string): string {
  return `job-${peer}-${slugify(slug)}`;
}

export interface PeerJobInput {
  peer: string;
  /** The directive text, sent byte-exact (plus the job footer unless `jobFooter` is false). */
  directive: string;
  /** Names the DONE marker (`DONE-<jobId>.md`) and the sends (`<jobId>-send-<n>`). Default: the workflow id. */
  jobId?: string;
  /** Wall-clock budget in ms (a durable timer, paused while the job waits for a person). None when absent. */
  budgetMs?: number;
  /** Who started the job (CLI user@host); kept on each send's audit line. */
  requestedBy?: string;
  /** What the work is (SendDirectiveInput.workload): gpu work is refused while a GPU is too hot. Default cpu. */
  workload?: Workload;
  /**
   * Append a short footer to the directive: the job id, where to write a phone-home and the DONE
   * marker. Default true (the peer cannot know the marker's name otherwise).
   */
  jobFooter?: boolean;
  /** Continue-as-new after this many loop passes (scans, wake-ups, resolutions). Default 1000. */
  maxIterationsBeforeContinueAsNew?: number;
  /** Set by the workflow itself when it continues as new: everything it knew. */
  carried?: CarriedJobState;
}

/** A phone-home: the peer stopped on purpose and wrote `PHONE-HOME-<topic>.md` for a person. */
export interface PhoneHome {
  topic: string;
  /** Where the file is (or is expected) on the peer. */
  file?: string;
  text: string;
  /** The peer's recommendation: the file's closing section (see `closingSection`). */
  recommendation: string;
  /** Epoch ms (workflow time) when the job first saw it. */
  seenAt: number;
  source: 'scan' | 'signal';
}

/** Payload of the `phoneHome` signal. UI JSON: `{"topic":"gpu-oom","text":"# ...","file":"PHONE-HOME-gpu-oom.md"}`. */
export interface PhoneHomeSignal {
  /** `gpu-oom` (or the file name `PHONE-HOME-gpu-oom.md`): letters, digits, `.`, `_`, `-`. */
  topic: string;
  text: string;
  /** The file name or its path on the peer; its last part must be `PHONE-HOME-<topic>.md`. */
  file?: string;
}

/**
 * Payload of the `resolve` update and the `resolveSignal` signal.
 * UI JSON: `{"decision":"b","note":"retry with batch size 8","by":"alice"}`.
 */
export interface ResolveInput {
  /** `a` | `b` | `c` (DecisionLetter), or `accept-and-revise` | `rerun-with-fix` | `halt-for-review` (Decision). */
  decision: string;
  /** Sent to the peer with the decision. May be empty. */
  note?: string;
  /** rerun-with-fix: the directive to run instead (sent in full). */
  amendedDirective?: string;
  /**
   * A new wall-clock budget from now on, in ms. Default: after a budget stop the budget restarts
   * with its original length; after a phone-home the rest of the budget carries on.
   */
  budgetMs?: number;
  /** Who decided (user@host). */
  by?: string;
  /**
   * Optional guard: the topic being resolved (`budget` for a budget stop, `turn-failed` for a failed
   * turn); refused if another one is pending.
   */
  topic?: string;
}

export interface Resolution {
  decision: Decision;
  note: string;
  amendedDirective?: string;
  budgetMs?: number;
  by?: string;
  /** Epoch ms (workflow time) when the resolution was accepted. */
  at: number;
  reason: StopReason;
  /** The phone-home resolved (absent for a budget stop or a failed turn). */
  topic?: string;
  /** The failed turn resolved (reason turn-failed): `failed: <error>` and the agent's words. */
  turn?: string;
  /** The send that told the peer, and how it ended. */
  sendWorkflowId?: string;
  sendOutcome?: string;
  /** Where the phone-home file went on the peer, or why it did not move. */
  movedTo?: string;
  moveNote?: string;
}

/** What the `resolve` update answers when it accepts a resolution (it is applied right after). */
export interface ResolveAccepted {
  jobId: string;
  decision: Decision;
  reason: StopReason;
  topic?: string;
  at: number;
}

/** Payload of the `complete` signal (may be left out). UI JSON: `{"note":"merged by hand"}`. */
export interface CompleteInput {
  note?: string;
  by?: string;
}

/** One inbox file as scanInbox found it. */
export interface InboxFile {
  /** The file name, e.g. `PHONE-HOME-gpu-oom.md`. */
  name: string;
  /** Its path on the peer. */
  path: string;
  /** `cksum` of the file on the peer (`<crc>-<bytes>`): tells a changed file from one already seen. */
  sum: string;
  /** Full size in bytes. */
  bytes: number;
  /** UTF-8 text, at most INBOX_FILE_MAX_BYTES (see `truncated`); empty when not asked for. */
  text: string;
  truncated: boolean;
}

export const INBOX_FILE_MAX_BYTES = 64 * 1024;
/** At most this many files are looked at per scan (the DONE marker first). */
export const INBOX_MAX_FILES = 16;

export interface ScanInboxInput {
  peer: string;
  jobId: string;
  /**
   * Files the job has already handled, name → sum: listed as `unchanged` without their text, so
   * a scan's result (kept in the workflow history) stays small. A changed file is read again.
   */
  known?: Record<string, string>;
  /** Read the files' text (default true); false for the first look, before the directive goes out. */
  withText?: boolean;
}

export interface InboxScan {
  /** `<workdir>/<inbox>/<inboxHost>` on the peer. */
  inboxDir: string;
  /** False when the folder does not exist (yet). */
  exists: boolean;
  /** The peer's `jobs.scanInterval`. */
  scanIntervalMs: number;
  phoneHomes: InboxFile[];
  /** `DONE-<jobId>.md`, when present and not known. */
  done?: InboxFile;
  /** Known files still there, unchanged (names). */
  unchanged: string[];
  /** Files left out: names not safe to use (their text dropped), or past INBOX_MAX_FILES. */
  skipped: { name: string; reason: string }[];
}

export interface ResolvePhoneHomeInput {
  peer: string;
  topic: string;
}

export interface ResolvePhoneHomeResult {
  moved: boolean;
  from: string;
  /** `<inboxDir>/resolved/PHONE-HOME-<topic>.md` (with `.1`, `.2`… when that name is taken). */
  to?: string;
  reason?: string;
}

export interface GitSyncInput {
  jobId: string;
}

export interface GitSyncResult {
  ok: boolean;
  /** True when controller.repo is not configured: nothing was done. */
  skipped?: boolean;
  /** Why it did not sync (or why it was skipped). */
  reason?: string;
  repo?: string;
  remote?: string;
  branch?: string;
  /** HEAD before and after. */
  before?: string;
  after?: string;
  fastForwarded?: boolean;
}

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

export interface Completion {
  source: 'signal' | 'marker';
  note?: string;
  by?: string;
  /** The DONE marker's text. */
  text?: string;
  at: number;
}

export interface Rejection {
  /** The message that was refused: `resolveSignal`, `phoneHome`, `complete`. */
  signal: string;
  reason: string;
  at: number;
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

/**
 * The peerJob's state: what a fresh job knows, what waits for a person, what the status query
 * shows. The rules for each kind of event live beside it in job/: phone-homes, turns,
 * resolutions, the budget. Deterministic code only (runs inside the workflow); `now` is
 * workflow time.
 */
import type { CarriedJobState, JobStatus, PeerJobInput, StopReason } from '../contracts/job';

/** Default continue-as-new threshold (loop passes: scans, wake-ups, resolutions). */
export const DEFAULT_MAX_ITERATIONS = 1000;
/** Scan interval until the first scan has told us the peer's `jobs.scanInterval`. */
export const DEFAULT_SCAN_INTERVAL_MS = 2 * 60_000;
const MAX_WARNINGS = 20;

export function freshState(input: PeerJobInput, jobId: string, now: number): CarriedJobState {
  return {
    jobId,
    peer: input.peer,
    state: 'sending',
    startedAt: now,
    directiveSent: false,
    sends: 0,
    queued: [],
    resolutions: [],
    phoneHomesSeen: [],
    resolvedKeys: [],
    knownFiles: {},
    ignoredAtStart: [],
    budgetMs: input.budgetMs ?? null,
    budgetEndsAt: null,
    budgetPausedLeftMs: null,
    scanIntervalMs: DEFAULT_SCAN_INTERVAL_MS,
    warnings: [],
    runs: 0,
  };
}

/** The state a continued run starts from: everything the last run knew. */
export function carriedOver(carried: CarriedJobState): CarriedJobState {
  return { ...carried, runs: carried.runs + 1 };
}

export function warn(s: CarriedJobState, message: string): void {
  if (s.warnings.includes(message)) return;
  s.warnings.push(message);
  if (s.warnings.length > MAX_WARNINGS) s.warnings.splice(0, s.warnings.length - MAX_WARNINGS);
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** What is waiting for a person's decision, if anything. */
export function pendingStop(s: CarriedJobState): { reason: StopReason; topic?: string } | undefined {
  if (s.current) return { reason: 'phone-home', topic: s.current.topic };
  if (s.turnStopAt !== undefined) return { reason: 'turn-failed' };
  if (s.budgetStopAt !== undefined) return { reason: 'budget' };
  return undefined;
}

/** A person's `complete` ends the job at once; the peer's DONE marker waits for pending phone-homes. */
export function completionDue(s: CarriedJobState): boolean {
  if (!s.completion) return false;
  return s.completion.source === 'signal' || (!pendingStop(s) && s.queued.length === 0);
}

/** The next queued phone-home becomes the current one, when nothing else waits for a person. */
export function takeNextPhoneHome(s: CarriedJobState): void {
  if (!pendingStop(s) && s.queued.length > 0) s.current = s.queued.shift();
}

/** Something for the job to act on before it waits again (found by a look at the peer). */
export function somethingToActOn(s: CarriedJobState): boolean {
  return s.queued.length > 0 || s.completion !== undefined || s.turnStopAt !== undefined;
}

export function statusOf(s: CarriedJobState, now: number): JobStatus {
  const stop = pendingStop(s);
  const reason = s.pendingResolution?.reason ?? stop?.reason;
  return {
    jobId: s.jobId,
    peer: s.peer,
    state: s.state,
    ...(reason ? { reason } : {}),
    ...(s.current ? { current: s.current } : {}),
    ...(s.turn ? { turn: s.turn } : {}),
    queued: s.queued,
    resolutions: s.resolutions,
    phoneHomesSeen: s.phoneHomesSeen,
    budgetMs: s.budgetMs,
    budgetEndsAt: s.budgetEndsAt,
    budgetLeftMs: s.budgetEndsAt !== null ? Math.max(0, s.budgetEndsAt - now) : s.budgetPausedLeftMs,
    budgetPaused: s.budgetPausedLeftMs !== null,
    ...(s.lastAck ? { lastAck: s.lastAck } : {}),
    ...(s.gitSync ? { gitSync: s.gitSync } : {}),
    ...(s.completion ? { completion: s.completion } : {}),
    ...(s.attention ? { attention: s.attention } : {}),
    ...(s.lastRejected ? { lastRejected: s.lastRejected } : {}),
    ...(s.scanError ? { scanError: s.scanError } : {}),
    ...(s.lastScanAt !== undefined ? { lastScanAt: s.lastScanAt } : {}),
    ...(s.inboxDir ? { inboxDir: s.inboxDir } : {}),
    ignoredAtStart: s.ignoredAtStart,
    sends: s.sends,
    startedAt: s.startedAt,
    runs: s.runs,
    warnings: s.warnings,
  };
}

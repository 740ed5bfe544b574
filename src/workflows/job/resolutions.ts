/**
 * A person's messages to a job: a resolution of what it waits for (the `resolve` update and
 * `resolveSignal`), and `complete`. Which are acceptable, and what taking one changes.
 * Deterministic code only; `now` is workflow time.
 */
import {
  FINAL_JOB_STATES,
  parseDecision,
  type CarriedJobState,
  type CompleteInput,
  type Decision,
  type Resolution,
  type ResolveAccepted,
  type ResolveInput,
} from '../../contracts/job';
import { normalizeTopic } from '../../contracts/phone-home';
import { isRecord, pendingStop } from '../peer-job-state';
import { describeTurn, refused } from './messages';

/** Why a resolution cannot be taken now, or undefined. The CLI and the UI show this text as is. */
export function resolutionProblem(s: CarriedJobState, r: unknown): string | undefined {
  if (!isRecord(r)) return refused.resolutionShape;
  const decision = parseDecision(r.decision);
  if (!decision) return refused.decision(r.decision);
  return inputProblem(r, decision) ?? stopProblem(s, r.topic);
}

/** What is wrong with a resolution's fields, for its decision. */
function inputProblem(r: Record<string, unknown>, decision: Decision): string | undefined {
  for (const key of ['note', 'amendedDirective', 'by', 'topic'] as const) {
    if (r[key] !== undefined && typeof r[key] !== 'string') return refused.notAString(key);
  }
  if (typeof r.amendedDirective === 'string') {
    if (decision !== 'rerun-with-fix') return refused.amendedWithoutRerun;
    if (r.amendedDirective.trim() === '' || r.amendedDirective.includes('\0')) return refused.amendedEmpty;
  }
  if (r.budgetMs !== undefined) {
    if (typeof r.budgetMs !== 'number' || !Number.isFinite(r.budgetMs) || r.budgetMs <= 0) return refused.budget;
    if (decision === 'halt-for-review') return refused.budgetWithHalt;
  }
  return undefined;
}

/** Why the job has nothing this resolution could resolve (`topic`: the optional guard). */
function stopProblem(s: CarriedJobState, topic: unknown): string | undefined {
  if (FINAL_JOB_STATES.includes(s.state)) return refused.endedNothingToResolve(s.state);
  if (s.pendingResolution) return refused.resolutionPending(s.pendingResolution.decision);
  const stop = pendingStop(s);
  if (!stop || s.state !== 'awaiting-resolution') return refused.nothingToResolve(s.state);
  if (typeof topic === 'string') {
    const wanted = stop.reason === 'phone-home' ? stop.topic : stop.reason;
    const given = topic === 'budget' || topic === 'turn-failed' ? topic : normalizeTopic(topic);
    if (given !== wanted) return refused.otherStop(stop, topic);
  }
  return undefined;
}

/** Records an acceptable resolution (check it with resolutionProblem first); the workflow applies it. */
export function acceptResolution(s: CarriedJobState, input: ResolveInput, now: number): ResolveAccepted {
  const decision = parseDecision(input.decision);
  const stop = pendingStop(s);
  if (!decision || !stop) throw new Error('acceptResolution: check resolutionProblem first');
  const r: Resolution = { decision, note: input.note ?? '', at: now, reason: stop.reason };
  if (stop.topic !== undefined) r.topic = stop.topic;
  if (stop.reason === 'turn-failed' && s.turn) r.turn = describeTurn(s.turn);
  if (input.amendedDirective !== undefined) r.amendedDirective = input.amendedDirective;
  if (input.budgetMs !== undefined) r.budgetMs = input.budgetMs;
  if (input.by !== undefined) r.by = input.by;
  s.pendingResolution = r;
  return { jobId: s.jobId, decision, reason: stop.reason, ...(r.topic ? { topic: r.topic } : {}), at: now };
}

/** A resolution was sent (`sendId`), or its send failed (undefined): it is no longer pending. */
export function recordResolution(s: CarriedJobState, r: Resolution, sendId: string | undefined): void {
  delete s.pendingResolution;
  if (sendId) {
    r.sendWorkflowId = sendId;
    r.sendOutcome = s.lastAck?.outcome;
  }
  s.resolutions.push(r);
}

/** What the job waited for is resolved: no phone-home, budget stop or failed turn pending. */
export function closeStop(s: CarriedJobState): void {
  delete s.current;
  delete s.budgetStopAt;
  delete s.turnStopAt;
}

/** The `complete` signal: returns why it was refused, or undefined. */
export function takeCompletion(s: CarriedJobState, c: unknown, now: number): string | undefined {
  if (c !== undefined && c !== null && !isRecord(c)) return refused.completionShape;
  const input = (c ?? {}) as CompleteInput & Record<string, unknown>;
  if (input.note !== undefined && typeof input.note !== 'string') return refused.notAString('note');
  if (input.by !== undefined && typeof input.by !== 'string') return refused.notAString('by');
  if (FINAL_JOB_STATES.includes(s.state) || s.state === 'completing') return refused.alreadyEnding(s.state);
  s.completion ??= {
    source: 'signal',
    at: now,
    ...(input.note !== undefined ? { note: input.note } : {}),
    ...(input.by !== undefined ? { by: input.by } : {}),
  };
  return undefined;
}

/**
 * The peerJob's state and the pure rules its message handlers follow: which phone-home is new,
 * which resolution is acceptable, what the status query shows. Deterministic code only (runs
 * inside the workflow); `Date.now()` is workflow time here.
 */
import {
  FINAL_JOB_STATES,
  INBOX_FILE_MAX_BYTES,
  isSafeName,
  parseDecision,
  type CarriedJobState,
  type CompleteInput,
  type JobStatus,
  type JobTurn,
  type JobTurnRef,
  type PeerJobInput,
  type PhoneHome,
  type Resolution,
  type ResolveAccepted,
  type ResolveInput,
  type StopReason,
} from '../contracts/job';
import {
  closingSection,
  normalizeTopic,
  phoneHomeFileName,
  resolutionMessage,
  textKey,
  type ResolutionMessageInput,
} from '../contracts/phone-home';
import type { AckSource, SendResult, TurnState } from '../contracts/send';

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

export function warn(s: CarriedJobState, message: string): void {
  if (s.warnings.includes(message)) return;
  s.warnings.push(message);
  if (s.warnings.length > MAX_WARNINGS) s.warnings.splice(0, s.warnings.length - MAX_WARNINGS);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The last path part (a peer path: `/`-separated). */
function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** What is waiting for a person's decision, if anything. */
export function pendingStop(s: CarriedJobState): { reason: StopReason; topic?: string } | undefined {
  if (s.current) return { reason: 'phone-home', topic: s.current.topic };
  if (s.turnStopAt !== undefined) return { reason: 'turn-failed' };
  if (s.budgetStopAt !== undefined) return { reason: 'budget' };
  return undefined;
}

/** How a stop is named in messages: `phone-home "eval"`, `the budget`, `the failed turn`. */
function stopName(stop: { reason: StopReason; topic?: string }): string {
  if (stop.reason === 'budget') return 'the budget';
  if (stop.reason === 'turn-failed') return 'the failed turn';
  return `phone-home "${stop.topic ?? ''}"`;
}

/** The agent's words as one short line (they go into a status line and a message to the peer). */
export function oneLine(words: string, max = 300): string {
  const s = words
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** `failed: rate_limit — <words>`: a turn's state with the agent's words. */
export function describeTurn(t: Pick<JobTurn, 'state' | 'words'>): string {
  return t.words ? `${t.state} — ${t.words}` : t.state;
}

/** Turn states the job keeps reading the agent's records for. */
export function turnOpen(t: JobTurn | undefined): boolean {
  return t !== undefined && (t.state === 'working' || t.state === 'unknown' || t.state === 'queued');
}

/**
 * The turn of a text the job just sent, from the send's result, and where to read it later (no
 * ref when the peer has no agent records: no turnRef, or an ack from the screen alone). An
 * `unconfirmed` send is not a failure: the turn is unknown and the job watches for its receipt.
 */
export function turnFromSend(
  // turn and ackSource are absent from a send result recorded before they existed
  r: Pick<SendResult, 'workflowId' | 'outcome' | 'ackEvidence'> &
    Partial<Pick<SendResult, 'turn' | 'ackSource' | 'turnRef'>>,
  of: string,
  peer: string,
  now: number,
): { turn: JobTurn; ref?: JobTurnRef } {
  const unconfirmed = r.outcome === 'unconfirmed';
  const ref = r.turnRef && !(r.outcome === 'acked' && r.ackSource === 'screen') ? r.turnRef : undefined;
  const t: JobTurn = {
    sendWorkflowId: r.workflowId,
    of,
    state: unconfirmed ? 'unknown' : (r.turn ?? (r.outcome === 'queued' ? 'queued' : 'working')),
    source: r.ackSource ?? 'screen',
    at: now,
  };
  if (unconfirmed) {
    t.hint =
      `the send could not confirm that the agent received the text (${oneLine(r.ackEvidence, 160)}); ` +
      `the job watches for its receipt. Look before sending it again: peer-comms peek ${peer}`;
  } else if (!ref) {
    t.hint =
      'no agent records on the peer (hook event log or transcript): the turn is not followed after the send ' +
      '(see peer-comms agent-settings)';
  }
  return ref ? { turn: t, ref } : { turn: t };
}

/**
 * Takes a readTurn reading into the job's turn. `unknown` (no receipt found yet) never replaces
 * what is known; a failed turn (while the job is not already complete) waits for a person.
 * Returns true when the turn failed now.
 */
export function takeTurnReading(
  s: CarriedJobState,
  reading: { turn: TurnState; source: AckSource | null; words?: string },
  now: number,
): boolean {
  const t = s.turn;
  if (!t || !turnOpen(t)) return false;
  if (reading.turn === 'unknown' || reading.turn === t.state) return false;
  t.state = reading.turn;
  t.source = reading.source ?? t.source;
  t.at = now;
  delete t.hint;
  if (reading.words) t.words = oneLine(reading.words);
  else delete t.words;
  if (!reading.turn.startsWith('failed:') || s.completion) return false;
  s.turnStopAt = now;
  return true;
}

/**
 * Takes a phone-home (from a scan or the `phoneHome` signal). Returns why it was refused, or
 * undefined when it was taken, or was already known (the same phone-home counts once: by topic
 * while it is pending, by topic and text once it is resolved).
 */
export function takePhoneHome(
  s: CarriedJobState,
  payload: unknown,
  source: PhoneHome['source'],
  now: number,
): string | undefined {
  if (!isRecord(payload)) return 'expected {"topic": "...", "text": "..."}';
  const topic = normalizeTopic(payload.topic);
  if (!topic) {
    return `bad topic ${JSON.stringify(payload.topic)}: use letters, digits, ".", "_" and "-" (no "/" or "..")`;
  }
  if (typeof payload.text !== 'string') return 'text must be a string (the phone-home file text)';
  const text = payload.text.length > INBOX_FILE_MAX_BYTES ? payload.text.slice(0, INBOX_FILE_MAX_BYTES) : payload.text;
  let file: string | undefined;
  if (payload.file !== undefined) {
    const f = payload.file;
    if (typeof f !== 'string' || baseName(f) !== phoneHomeFileName(topic) || f.split('/').includes('..')) {
      return `file must be the name or path of ${phoneHomeFileName(topic)}`;
    }
    file = f.includes('/') ? f : s.inboxDir ? `${s.inboxDir}/${f}` : f;
  }
  if (FINAL_JOB_STATES.includes(s.state)) return `the job has ended (${s.state})`;

  const pending = [s.current, ...s.queued].find((p) => p?.topic === topic);
  if (pending) {
    if (!pending.file && file) pending.file = file;
    if (pending.text.trim() === '' && text.trim() !== '') {
      pending.text = text;
      pending.recommendation = closingSection(text);
    }
    return undefined;
  }
  if (s.resolvedKeys.includes(`${topic}#${textKey(text)}`)) return undefined;
  s.queued.push({
    topic,
    file: file ?? (s.inboxDir ? `${s.inboxDir}/${phoneHomeFileName(topic)}` : undefined),
    text,
    recommendation: closingSection(text),
    seenAt: now,
    source,
  });
  s.phoneHomesSeen.push(topic);
  return undefined;
}

/** Why a resolution cannot be taken now, or undefined. The CLI and the UI show this text as is. */
export function resolutionProblem(s: CarriedJobState, r: unknown): string | undefined {
  if (!isRecord(r)) return 'expected {"decision": "a|b|c", "note": "..."}';
  const decision = parseDecision(r.decision);
  if (!decision) {
    return `unknown decision ${JSON.stringify(r.decision)}: use a (accept-and-revise), b (rerun-with-fix) or c (halt-for-review)`;
  }
  for (const key of ['note', 'amendedDirective', 'by', 'topic'] as const) {
    if (r[key] !== undefined && typeof r[key] !== 'string') return `${key} must be a string`;
  }
  if (typeof r.amendedDirective === 'string') {
    if (decision !== 'rerun-with-fix') return 'an amended directive goes with rerun-with-fix (b) only';
    if (r.amendedDirective.trim() === '' || r.amendedDirective.includes('\0')) {
      return 'the amended directive is empty or holds a NUL byte';
    }
  }
  if (r.budgetMs !== undefined) {
    if (typeof r.budgetMs !== 'number' || !Number.isFinite(r.budgetMs) || r.budgetMs <= 0) {
      return 'budgetMs must be a positive number of milliseconds';
    }
    if (decision === 'halt-for-review') return 'a new budget does not go with halt-for-review (c)';
  }
  if (FINAL_JOB_STATES.includes(s.state)) return `the job has ended (${s.state}); nothing to resolve`;
  if (s.pendingResolution) {
    return `a resolution (${s.pendingResolution.decision}) is already being applied; see the status`;
  }
  const stop = pendingStop(s);
  if (!stop || s.state !== 'awaiting-resolution') {
    return `nothing to resolve: the job is ${s.state}, with no pending phone-home, budget stop or failed turn`;
  }
  if (typeof r.topic === 'string') {
    const wanted = stop.reason === 'phone-home' ? stop.topic : stop.reason;
    const given = r.topic === 'budget' || r.topic === 'turn-failed' ? r.topic : normalizeTopic(r.topic);
    if (given !== wanted) return `the pending stop is ${stopName(stop)}, not ${JSON.stringify(r.topic)}`;
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

/** The `complete` signal: returns why it was refused, or undefined. */
export function takeCompletion(s: CarriedJobState, c: unknown, now: number): string | undefined {
  if (c !== undefined && c !== null && !isRecord(c)) return 'expected {"note": "..."} or nothing';
  const input = (c ?? {}) as CompleteInput & Record<string, unknown>;
  if (input.note !== undefined && typeof input.note !== 'string') return 'note must be a string';
  if (input.by !== undefined && typeof input.by !== 'string') return 'by must be a string';
  if (FINAL_JOB_STATES.includes(s.state) || s.state === 'completing') return `the job is already ${s.state}`;
  s.completion ??= {
    source: 'signal',
    at: now,
    ...(input.note !== undefined ? { note: input.note } : {}),
    ...(input.by !== undefined ? { by: input.by } : {}),
  };
  return undefined;
}

export function validJobId(id: string): boolean {
  return isSafeName(id);
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

/**
 * The text sent to the peer after a person's decision on a failed turn: the resolution message's
 * decision, note, budget and amended directive, under a first line that names the failed turn.
 */
export function turnResolutionMessage(
  m: Omit<ResolutionMessageInput, 'reason' | 'file' | 'spentBudgetMs'> & {
    turn: Pick<JobTurn, 'of' | 'state' | 'words'>;
  },
): string {
  const { turn, ...rest } = m;
  // the budget form has no reason-specific lines after its first one
  const body = resolutionMessage({ ...rest, reason: 'budget' });
  const head = `[peer-comms] Job ${m.jobId}: resolution of your turn on ${turn.of}, which failed (${describeTurn(turn)}).`;
  const nl = body.indexOf('\n');
  return nl < 0 ? head : `${head}${body.slice(nl)}`;
}

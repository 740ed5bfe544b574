/**
 * Every text a peerJob shows a person (status details, attention reasons, warnings, refusals,
 * the UI's activity summaries) or sends its peer beyond the shared phone-home texts of
 * contracts/phone-home.ts. Deterministic code only.
 */
import { decisionLetter, type JobState, type JobTurn, type Resolution, type StopReason } from '../../contracts/job';
import { phoneHomeFileName, resolutionMessage, type ResolutionMessageInput } from '../../contracts/phone-home';

/** What the first text of a job is called (its turn's `of`, the send's summary). */
export const THE_DIRECTIVE = 'the directive';

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

/** The UI's "current details" line: the state, why it waits, the last text's turn. */
export function detailsLine(state: JobState, waitingFor: string | undefined, turn: JobTurn | undefined): string {
  const why = waitingFor ? ` (${waitingFor})` : '';
  return `${state}${why}${turn ? ` · turn of ${turn.of}: ${describeTurn(turn)}` : ''}`;
}

/** How a stop is named in refusals: `phone-home "eval"`, `the budget`, `the failed turn`. */
export function stopName(stop: { reason: StopReason; topic?: string }): string {
  if (stop.reason === 'budget') return 'the budget';
  if (stop.reason === 'turn-failed') return 'the failed turn';
  return `phone-home "${stop.topic ?? ''}"`;
}

/** What a resolution's send is called (its turn's `of`): `resolution (b) of phone-home eval`. */
export function resolutionLabel(r: Pick<Resolution, 'decision' | 'reason' | 'topic'>): string {
  const stopped = r.topic
    ? `phone-home ${r.topic}`
    : r.reason === 'turn-failed'
      ? 'the failed turn'
      : 'the budget stop';
  return `resolution (${decisionLetter(r.decision)}) of ${stopped}`;
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

/** What a turn's state means for a person, when it needs saying. */
export const turnHint = {
  unconfirmed: (ackEvidence: string, peer: string): string =>
    `the send could not confirm that the agent received the text (${oneLine(ackEvidence, 160)}); ` +
    `the job watches for its receipt. Look before sending it again: peer-comms peek ${peer}`,
  noRecords:
    'no agent records on the peer (hook event log or transcript): the turn is not followed after the send ' +
    '(see peer-comms agent-settings)',
};

/** The summaries the UI shows for the job's activities and child sends. */
export const summary = {
  send: (what: string, peer: string, jobId: string): string => `${what} → ${peer} (job ${jobId})`,
  scan: (peer: string): string => `look for phone-homes on ${peer}`,
  readTurn: (of: string, peer: string): string => `read the turn of ${of} on ${peer}`,
  file: (topic: string, peer: string): string => `move ${phoneHomeFileName(topic)} to resolved/ on ${peer}`,
  gitSync: (jobId: string): string => `git fetch + merge --ff-only for ${jobId}`,
};

/** Who asked for a send, on its audit line. */
export function requestedBy(by: string | undefined, jobId: string): string {
  return by ? `${by} (${jobId})` : jobId;
}

/** Why the job needs a person (state needs-attention). */
export const attention = {
  sendFailed: (what: string, sendId: string, why: string): string => `${what}: the send ${sendId} failed: ${why}`,
  gitSyncRefused: (reason: string | undefined): string => `git sync: ${reason ?? 'not a fast-forward'}`,
  gitSyncFailed: (why: string): string => `git sync failed: ${why}`,
};

/** The job's warnings (status `warnings`) and notes on a resolution. */
export const warning = {
  inboxFileIgnored: (name: string, reason: string): string => `inbox file ${JSON.stringify(name)} ignored: ${reason}`,
  turnNotRead: (of: string, why: string): string => `could not read the turn of ${of}: ${why}`,
  notFiled: (topic: string, why: string): string => `${phoneHomeFileName(topic)} was not moved to resolved/: ${why}`,
  notMovedNote: (why: string): string => `not moved: ${why}`,
};

/** Why a job's input is refused (the workflow fails at once, InvalidInput). */
export const badInput = {
  peer: (peer: unknown): string => `bad peer name: ${JSON.stringify(peer)}`,
  jobId: (jobId: string): string =>
    `job id ${JSON.stringify(jobId)} cannot name the DONE marker: letters, digits, ".", "_", "-" only`,
  budget: (budgetMs: unknown): string =>
    `budgetMs must be a positive number of milliseconds, not ${JSON.stringify(budgetMs)}`,
  maxIterations: 'maxIterationsBeforeContinueAsNew must be a positive integer',
};

/** Why a message to the job is refused (the update's error, or `lastRejected` in the status). */
export const refused = {
  phoneHomeShape: 'expected {"topic": "...", "text": "..."}',
  topic: (topic: unknown): string =>
    `bad topic ${JSON.stringify(topic)}: use letters, digits, ".", "_" and "-" (no "/" or "..")`,
  phoneHomeText: 'text must be a string (the phone-home file text)',
  phoneHomeFile: (topic: string): string => `file must be the name or path of ${phoneHomeFileName(topic)}`,
  ended: (state: JobState): string => `the job has ended (${state})`,
  resolutionShape: 'expected {"decision": "a|b|c", "note": "..."}',
  decision: (decision: unknown): string =>
    `unknown decision ${JSON.stringify(decision)}: use a (accept-and-revise), b (rerun-with-fix) or c (halt-for-review)`,
  notAString: (key: string): string => `${key} must be a string`,
  amendedWithoutRerun: 'an amended directive goes with rerun-with-fix (b) only',
  amendedEmpty: 'the amended directive is empty or holds a NUL byte',
  budget: 'budgetMs must be a positive number of milliseconds',
  budgetWithHalt: 'a new budget does not go with halt-for-review (c)',
  endedNothingToResolve: (state: JobState): string => `the job has ended (${state}); nothing to resolve`,
  resolutionPending: (decision: string): string =>
    `a resolution (${decision}) is already being applied; see the status`,
  nothingToResolve: (state: JobState): string =>
    `nothing to resolve: the job is ${state}, with no pending phone-home, budget stop or failed turn`,
  otherStop: (stop: { reason: StopReason; topic?: string }, topic: string): string =>
    `the pending stop is ${stopName(stop)}, not ${JSON.stringify(topic)}`,
  completionShape: 'expected {"note": "..."} or nothing',
  alreadyEnding: (state: JobState): string => `the job is already ${state}`,
};

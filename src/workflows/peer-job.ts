/**
 * peerJob: one piece of substantive work on a peer, from the directive to the git sync.
 * Sends the directive (child sendDirective), then watches the peer's inbox on a durable timer
 * until the job ends. It follows the turn of the text it sent last (the send's result, then the
 * agent's own records at each scan: activity readTurn). A phone-home (found by a scan, or the
 * `phoneHome` signal), a spent budget or a failed turn makes the job wait — days if need be — for
 * a person's resolution; the resolution goes back to the peer through the same send ceremony, the
 * phone-home file moves to `resolved/`, and the job watches again. A `complete` signal or a `DONE-<jobId>.md` marker ends it with a
 * `git fetch` + `git merge --ff-only` in the controller's repository.
 *
 * Messages (UI JSON in src/contracts/job.ts): signal `phoneHome`, update `resolve` (with a
 * synchronous validator), signal `resolveSignal` (the same, for the UI's "send signal"; a bad
 * one shows as `lastRejected` in the status), signal `complete`, query `status`.
 * Deterministic code only; side effects are activities and the child sends.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  executeChild,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  type ActivityOptions,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ErrorType } from '../contracts/errors';
import {
  decisionLetter,
  isSafeName,
  type CarriedJobState,
  type CompleteInput,
  type InboxScan,
  type JobState,
  type JobStatus,
  type PeerJobInput,
  type PhoneHomeSignal,
  type Resolution,
  type ResolveAccepted,
  type ResolveInput,
} from '../contracts/job';
import { jobFooter, resolutionMessage, textKey, topicFromFileName } from '../contracts/phone-home';
import type { AckSource, TurnState } from '../contracts/send';
import { JOB_STATE_ATTR, PEER_ATTR } from '../contracts/search-attributes';
import {
  DEFAULT_MAX_ITERATIONS,
  acceptResolution,
  describeTurn,
  freshState,
  pendingStop,
  resolutionProblem,
  statusOf,
  takeCompletion,
  takePhoneHome,
  takeTurnReading,
  turnFromSend,
  turnOpen,
  turnResolutionMessage,
  warn,
} from './peer-job-state';
import { isPeerName } from '../contracts/route';
import { MAX_JOB_DIRECTIVE_BYTES, MAX_TEXT_BYTES, formatRefusal, gateText } from '../contracts/text-gate';
import { QUICK } from './activity-options';
import { failureMessage, failureType } from './failures';
import { onPeer, resolveRoute } from './routing';
import { sendDirective } from './send-directive';

export { jobWorkflowId } from '../contracts/job';

/** Anything (the peer worker, a script, the UI) reports a phone-home: `{"topic","text","file"?}`. */
export const phoneHomeSignal = defineSignal<[PhoneHomeSignal]>('phoneHome');
/** A person's decision, refused at once (validator) when it is unknown or nothing is pending. */
export const resolveUpdate = defineUpdate<ResolveAccepted, [ResolveInput]>('resolve');
/** The same decision as a signal, for the Web UI's "send signal"; a refusal shows as `lastRejected`. */
export const resolveSignal = defineSignal<[ResolveInput]>('resolveSignal');
/** Ends the job (then the git sync): `{"note"?, "by"?}` or no payload. */
export const completeSignal = defineSignal<[CompleteInput?]>('complete');
export const statusQuery = defineQuery<JobStatus>('status');

/** Inbox scan: one round trip; a few quick tries, then the next scan tries again (the error shows in status). */
const SCANNING: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 3 },
};

/** Git sync: a fetch may be slow; three tries for a flaky remote, then a person looks (needs-attention). */
const syncing = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** While waiting for a person, wake once a day (history stays small; continue-as-new can happen). */
const AWAIT_WAKE_MS = 24 * 3_600_000;

function validate(input: PeerJobInput, jobId: string): void {
  const bad = (message: string) => ApplicationFailure.nonRetryable(message, ErrorType.InvalidInput);
  if (!input || !isPeerName(input.peer)) {
    throw bad(`bad peer name: ${JSON.stringify(input?.peer)}`);
  }
  // The input gate, as for a send (the directive goes out through one, footer included).
  const gate = gateText(input.directive, {
    what: 'the directive',
    maxBytes: input.jobFooter === false ? MAX_TEXT_BYTES : MAX_JOB_DIRECTIVE_BYTES,
  });
  if (!gate.ok) throw bad(formatRefusal(gate));
  if (!isSafeName(jobId)) {
    throw bad(`job id ${JSON.stringify(jobId)} cannot name the DONE marker: letters, digits, ".", "_", "-" only`);
  }
  if (input.budgetMs !== undefined && !(Number.isFinite(input.budgetMs) && input.budgetMs > 0)) {
    throw bad(`budgetMs must be a positive number of milliseconds, not ${JSON.stringify(input.budgetMs)}`);
  }
  const max = input.maxIterationsBeforeContinueAsNew;
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
    throw bad('maxIterationsBeforeContinueAsNew must be a positive integer');
  }
}

export async function peerJob(input: PeerJobInput): Promise<JobStatus> {
  const jobId = input?.carried?.jobId ?? input?.jobId ?? workflowInfo().workflowId;
  validate(input, jobId);
  const s: CarriedJobState = input.carried
    ? { ...input.carried, runs: input.carried.runs + 1 }
    : freshState(input, jobId, Date.now());
  const peer = s.peer;
  const maxIterations = input.maxIterationsBeforeContinueAsNew ?? DEFAULT_MAX_ITERATIONS;

  setHandler(statusQuery, () => statusOf(s, Date.now()));
  setHandler(phoneHomeSignal, (p) => {
    const why = takePhoneHome(s, p, 'signal', Date.now());
    if (why) s.lastRejected = { signal: 'phoneHome', reason: why, at: Date.now() };
  });
  setHandler(resolveUpdate, (r) => acceptResolution(s, r, Date.now()), {
    validator: (r) => {
      const why = resolutionProblem(s, r);
      if (why) throw new Error(why);
    },
  });
  setHandler(resolveSignal, (r) => {
    const why = resolutionProblem(s, r);
    if (why) s.lastRejected = { signal: 'resolveSignal', reason: why, at: Date.now() };
    else acceptResolution(s, r, Date.now());
  });
  setHandler(completeSignal, (c) => {
    const why = takeCompletion(s, c, Date.now());
    if (why) s.lastRejected = { signal: 'complete', reason: why, at: Date.now() };
  });

  /** The UI's "current details" line: the state, why it waits, the last text's turn. */
  const showDetails = (): void => {
    const stop = pendingStop(s);
    const why = s.state === 'awaiting-resolution' && stop ? ` (${stop.reason})` : '';
    const turn = s.turn ? ` · turn of ${s.turn.of}: ${describeTurn(s.turn)}` : '';
    setCurrentDetails(`${s.state}${why}${turn}`);
  };
  const setState = (next: JobState): void => {
    if (s.state === next) return;
    s.state = next;
    upsertSearchAttributes([{ key: JOB_STATE_ATTR, value: next }]);
    showDetails();
  };
  const needsAttention = (why: string): JobStatus => {
    s.attention = why;
    setState('needs-attention');
    return statusOf(s, Date.now());
  };
  upsertSearchAttributes([
    { key: PEER_ATTR, value: peer },
    { key: JOB_STATE_ATTR, value: s.state },
  ]);
  // The inbox scan and the filing run where the peer's steps run (the peer worker for via: worker).
  const route = await resolveRoute(peer);
  const scanning = onPeer(route, SCANNING);
  // Moving a resolved phone-home is bookkeeping: a few fast tries, then a warning (nothing is lost).
  const filing = onPeer(route, QUICK);
  // Reading the turn is one round trip: a few fast tries, then the next scan reads again.
  const reading = onPeer(route, QUICK);

  /** One send through the full ceremony (child workflow): its id, or undefined when it failed (the job needs a person). */
  const send = async (
    text: string,
    what: string,
    queue: boolean,
    by = input.requestedBy,
    workload = input.workload,
  ): Promise<string | undefined> => {
    s.sends++;
    const id = `${jobId}-send-${s.sends}`;
    try {
      const r = await executeChild(sendDirective, {
        workflowId: id,
        args: [{ peer, text, queue, workload, requestedBy: by ? `${by} (${jobId})` : jobId }],
        staticSummary: `${what} → ${peer} (job ${jobId})`,
      });
      s.lastAck = { workflowId: id, outcome: r.outcome, at: Date.now() };
      // The text's turn, from now on the one the job follows (an unconfirmed send is not a failure).
      const followed = turnFromSend(r, what, peer, Date.now());
      s.turn = followed.turn;
      if (followed.ref) s.turnRef = followed.ref;
      else delete s.turnRef;
      showDetails();
      return id;
    } catch (err) {
      needsAttention(`${what}: the send ${id} failed: ${failureMessage(err)}`);
      return undefined;
    }
  };

  const scan = async (withText: boolean): Promise<InboxScan | undefined> => {
    try {
      const r = await scanning.scanInbox.executeWithOptions({ summary: `look for phone-homes on ${peer}` }, [
        { peer, jobId, known: s.knownFiles, withText },
      ]);
      s.scanIntervalMs = r.scanIntervalMs;
      s.inboxDir = r.inboxDir;
      s.lastScanAt = Date.now();
      delete s.scanError;
      for (const x of r.skipped) warn(s, `inbox file ${JSON.stringify(x.name)} ignored: ${x.reason}`);
      return r;
    } catch (err) {
      s.scanError = {
        type: failureType(err),
        message: failureMessage(err),
        at: Date.now(),
        consecutive: (s.scanError?.consecutive ?? 0) + 1,
      };
      return undefined;
    }
  };

  /** Set once per run: whether this run reads turns (a recorded history without the marker does not). */
  let readsTurns: boolean | undefined;
  /**
   * The last text's turn from the agent's records, while it is open and there is a ref (a send
   * recorded without `turnRef` never gets here). Undefined when not read, or when reading failed.
   */
  const readTurn = async (): Promise<{ turn: TurnState; source: AckSource | null; words?: string } | undefined> => {
    const ref = s.turnRef;
    const turn = s.turn;
    if (!ref || !turn || !turnOpen(turn)) return undefined;
    readsTurns ??= patched('job-turns');
    if (!readsTurns) return undefined;
    try {
      const r = await reading.readTurn.executeWithOptions({ summary: `read the turn of ${turn.of} on ${peer}` }, [
        { peer, ref },
      ]);
      // No receipt yet: the records read so far hold none, the next read starts after them.
      if (r.turn === 'unknown' && s.turnRef === ref) s.turnRef = { ...ref, cursor: r.cursor };
      return r;
    } catch (err) {
      warn(s, `could not read the turn of ${turn.of}: ${failureMessage(err)}`);
      return undefined;
    }
  };

  const pauseBudget = (): void => {
    if (s.budgetEndsAt === null) return;
    s.budgetPausedLeftMs = Math.max(0, s.budgetEndsAt - Date.now());
    s.budgetEndsAt = null;
  };
  /** The budget from now on after a resolution (documented in ResolveInput.budgetMs). */
  const budgetAfter = (r: Resolution): number | null => {
    if (r.budgetMs !== undefined) return r.budgetMs;
    if (s.budgetMs === null) return null;
    return r.reason === 'budget' ? s.budgetMs : (s.budgetPausedLeftMs ?? s.budgetMs);
  };

  /** Sends the pending resolution to the peer, files the phone-home. True when the job ended. */
  const applyResolution = async (r: Resolution): Promise<boolean> => {
    setState('resolving');
    const halting = r.decision === 'halt-for-review';
    const nextBudget = halting ? null : budgetAfter(r);
    const failedTurn = r.reason === 'turn-failed' ? s.turn : undefined;
    const text = failedTurn
      ? turnResolutionMessage({ jobId, resolution: r, budgetMs: nextBudget, turn: failedTurn })
      : resolutionMessage({
          jobId,
          reason: r.reason,
          resolution: r,
          file: s.current?.file,
          budgetMs: nextBudget,
          spentBudgetMs: r.reason === 'budget' ? s.budgetMs : undefined,
        });
    const stopped = r.topic
      ? `phone-home ${r.topic}`
      : r.reason === 'turn-failed'
        ? 'the failed turn'
        : 'the budget stop';
    const what = `resolution (${decisionLetter(r.decision)}) of ${stopped}`;
    // After a budget stop the agent may still be working: queue behind its turn instead of waiting.
    // A halt starts no work: it is never held back by a hot GPU or a busy rental host.
    const sentBy = await send(
      text,
      what,
      r.reason === 'budget',
      r.by ?? input.requestedBy,
      halting ? 'none' : input.workload,
    );
    delete s.pendingResolution;
    if (sentBy) {
      r.sendWorkflowId = sentBy;
      r.sendOutcome = s.lastAck?.outcome;
    }
    s.resolutions.push(r);
    if (!sentBy) return true;
    if (r.reason === 'phone-home' && s.current) {
      const topic = s.current.topic;
      try {
        const m = await filing.resolvePhoneHome.executeWithOptions(
          { summary: `move PHONE-HOME-${topic}.md to resolved/ on ${peer}` },
          [{ peer, topic }],
        );
        if (m.to) r.movedTo = m.to;
        if (m.reason) r.moveNote = m.reason;
      } catch (err) {
        r.moveNote = `not moved: ${failureMessage(err)}`;
        warn(s, `PHONE-HOME-${topic}.md was not moved to resolved/: ${failureMessage(err)}`);
      }
      s.resolvedKeys.push(`${topic}#${textKey(s.current.text)}`);
    }
    delete s.current;
    delete s.budgetStopAt;
    delete s.turnStopAt;
    if (halting) {
      setState('halted');
      return true;
    }
    if (nextBudget !== null) {
      s.budgetMs = r.budgetMs ?? s.budgetMs ?? nextBudget;
      s.budgetEndsAt = Date.now() + nextBudget;
    }
    s.budgetPausedLeftMs = null;
    setState('watching');
    return false;
  };

  const takeScan = (r: InboxScan): void => {
    if (r.done) {
      s.knownFiles[r.done.name] = r.done.sum;
      s.completion ??= { source: 'marker', text: r.done.text, at: Date.now() };
    }
    for (const f of r.phoneHomes) {
      s.knownFiles[f.name] = f.sum;
      const topic = topicFromFileName(f.name);
      if (topic) takePhoneHome(s, { topic, text: f.text, file: f.path }, 'scan', Date.now());
    }
  };

  const complete = async (): Promise<JobStatus> => {
    setState('completing');
    try {
      const g = await syncing.gitSync.executeWithOptions({ summary: `git fetch + merge --ff-only for ${jobId}` }, [
        { jobId },
      ]);
      s.gitSync = { ...g, at: Date.now() };
      if (!g.ok && !g.skipped) return needsAttention(`git sync: ${g.reason ?? 'not a fast-forward'}`);
    } catch (err) {
      s.gitSync = { ok: false, reason: failureMessage(err), at: Date.now() };
      return needsAttention(`git sync failed: ${failureMessage(err)}`);
    }
    setState('done');
    return statusOf(s, Date.now());
  };

  // 1. The directive (once per job, not per run). Files already in the inbox are not this job's.
  if (!s.directiveSent) {
    const first = await scan(false);
    for (const f of first ? [...first.phoneHomes, ...(first.done ? [first.done] : [])] : []) {
      s.knownFiles[f.name] = f.sum;
      s.ignoredAtStart.push(f.name);
    }
    const text = input.jobFooter === false ? input.directive : `${input.directive}${jobFooter(jobId, s.inboxDir)}`;
    if (!(await send(text, 'the directive', false))) return statusOf(s, Date.now());
    s.directiveSent = true;
    if (s.budgetMs !== null) s.budgetEndsAt = Date.now() + s.budgetMs;
    setState('watching');
  }

  // 2. Watch until the job ends.
  for (let iterations = 0; ; iterations++) {
    if (s.pendingResolution) {
      if (await applyResolution(s.pendingResolution)) return statusOf(s, Date.now());
      continue;
    }
    const stopped = pendingStop(s);
    // A person's `complete` ends the job at once; the peer's DONE marker waits for pending phone-homes.
    if (s.completion && (s.completion.source === 'signal' || (!stopped && s.queued.length === 0))) {
      return complete();
    }
    if (iterations >= maxIterations || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof peerJob>({ ...input, carried: s });
    }

    if (!stopped && s.queued.length > 0) s.current = s.queued.shift();
    if (pendingStop(s)) {
      pauseBudget();
      setState('awaiting-resolution');
      await condition(() => s.pendingResolution !== undefined || s.completion?.source === 'signal', AWAIT_WAKE_MS);
      continue;
    }

    setState('watching');
    if (s.budgetEndsAt !== null && Date.now() >= s.budgetEndsAt) {
      s.budgetStopAt = Date.now();
      continue;
    }
    const [found, turn] = await Promise.all([scan(true), readTurn()]);
    if (found) takeScan(found);
    // After the scan: a DONE marker seen in the same pass wins over a failed turn.
    if (turn) {
      takeTurnReading(s, turn, Date.now());
      showDetails();
    }
    if (s.queued.length > 0 || s.completion || s.turnStopAt !== undefined) continue;
    const untilBudget = s.budgetEndsAt === null ? Infinity : Math.max(1, s.budgetEndsAt - Date.now());
    await condition(
      () => s.queued.length > 0 || s.completion !== undefined || s.pendingResolution !== undefined,
      Math.min(s.scanIntervalMs, untilBudget),
    );
  }
}

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
 * Messages (definitions.ts; UI JSON in src/contracts/job.ts): signal `phoneHome`, update `resolve`
 * (with a synchronous validator), signal `resolveSignal` (the same, for the UI's "send signal"; a
 * bad one shows as `lastRejected` in the status), signal `complete`, query `status`.
 * The steps are in job/ (sends, looks at the peer, resolutions, the git sync), the rules of the
 * state in peer-job-state.ts and job/, the texts for people in job/messages.ts.
 * Deterministic code only; side effects are activities and the child sends.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CarriedJobState, JobStatus, PeerJobInput } from '../contracts/job';
import { completeSignal, phoneHomeSignal, resolveSignal, resolveUpdate, statusQuery } from './definitions';
import {
  DEFAULT_MAX_ITERATIONS,
  carriedOver,
  completionDue,
  freshState,
  pendingStop,
  statusOf,
  takeNextPhoneHome,
} from './peer-job-state';
import { stopIfBudgetSpent } from './job/budget';
import { finishWithGitSync } from './job/finish';
import { lookAtPeer, waitForNextLook } from './job/look';
import { takePhoneHome } from './job/phone-homes';
import { applyResolution, awaitResolution } from './job/resolve';
import { acceptResolution, resolutionProblem, takeCompletion } from './job/resolutions';
import { openJobRun, setState } from './job/run';
import { sendTheDirective } from './job/send';
import { validateJobInput } from './job/validate';

export { jobWorkflowId } from '../contracts/job';
export { completeSignal, phoneHomeSignal, resolveSignal, resolveUpdate, statusQuery };

export async function peerJob(input: PeerJobInput): Promise<JobStatus> {
  const jobId = input?.carried?.jobId ?? input?.jobId ?? workflowInfo().workflowId;
  validateJobInput(input, jobId);
  const s = input.carried ? carriedOver(input.carried) : freshState(input, jobId, Date.now());
  handleMessages(s);
  const run = await openJobRun(input, s);
  const maxIterations = input.maxIterationsBeforeContinueAsNew ?? DEFAULT_MAX_ITERATIONS;

  // 1. The directive (once per job, not per run).
  if (!s.directiveSent && !(await sendTheDirective(run))) return statusOf(s, Date.now());

  // 2. Watch until the job ends.
  for (let iterations = 0; ; iterations++) {
    // A person's decision goes to the peer first.
    if (s.pendingResolution) {
      if (await applyResolution(run, s.pendingResolution)) return statusOf(s, Date.now());
      continue;
    }
    if (completionDue(s)) return finishWithGitSync(run);
    if (iterations >= maxIterations || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof peerJob>({ ...input, carried: s });
    }
    // A phone-home, a spent budget or a failed turn: wait for a person.
    takeNextPhoneHome(s);
    if (pendingStop(s)) {
      await awaitResolution(run);
      continue;
    }
    setState(s, 'watching');
    if (stopIfBudgetSpent(s, Date.now())) continue;
    if (await lookAtPeer(run)) continue;
    await waitForNextLook(run);
  }
}

/** The job's messages: registered before the first await, each one a rule on the state. */
function handleMessages(s: CarriedJobState): void {
  const rejected = (signal: string, reason: string): void => {
    s.lastRejected = { signal, reason, at: Date.now() };
  };
  setHandler(statusQuery, () => statusOf(s, Date.now()));
  setHandler(phoneHomeSignal, (p) => {
    const why = takePhoneHome(s, p, 'signal', Date.now());
    if (why) rejected('phoneHome', why);
  });
  setHandler(resolveUpdate, (r) => acceptResolution(s, r, Date.now()), {
    validator: (r) => {
      const why = resolutionProblem(s, r);
      if (why) throw new Error(why);
    },
  });
  setHandler(resolveSignal, (r) => {
    const why = resolutionProblem(s, r);
    if (why) rejected('resolveSignal', why);
    else acceptResolution(s, r, Date.now());
  });
  setHandler(completeSignal, (c) => {
    const why = takeCompletion(s, c, Date.now());
    if (why) rejected('complete', why);
  });
}

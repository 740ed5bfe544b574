/**
 * A job's sends: each through the full send ceremony (child sendDirective, `<jobId>-send-<n>`),
 * the directive first. Workflow code: deterministic.
 */
import { executeChild } from '@temporalio/workflow';
import { jobFooter } from '../../contracts/phone-home';
import type { Workload } from '../../contracts/send';
import { failureMessage } from '../failures';
import { sendDirective } from '../send-directive';
import { startBudget } from './budget';
import { scanInbox } from './look';
import { THE_DIRECTIVE, attention, requestedBy, summary } from './messages';
import { notifyFailed } from './notify';
import { ignoreFilesAtStart } from './phone-homes';
import { needsAttention, setState, showDetails, type JobRun } from './run';
import { followSend } from './turns';

export interface SendOptions {
  /** Queue behind the agent's turn instead of waiting for it to end. */
  queue: boolean;
  /** Who asked (default: who started the job). */
  by?: string;
  /** Default: the job's workload. */
  workload?: Workload;
}

/** One send through the full ceremony (child workflow): its id, or undefined when it failed (the job needs a person). */
export async function sendOnJob(
  run: JobRun,
  text: string,
  what: string,
  { queue, by = run.input.requestedBy, workload = run.input.workload }: SendOptions,
): Promise<string | undefined> {
  const { s, jobId, peer } = run;
  s.sends++;
  const id = `${jobId}-send-${s.sends}`;
  showDetails(s, `${what} as ${id}`);
  try {
    const r = await executeChild(sendDirective, {
      workflowId: id,
      args: [{ peer, text, queue, workload, requestedBy: requestedBy(by, jobId) }],
      staticSummary: summary.send(what, peer, jobId),
    });
    followSend(s, r, what, id, Date.now());
    showDetails(s);
    return id;
  } catch (err) {
    needsAttention(s, attention.sendFailed(what, id, failureMessage(err)));
    await notifyFailed(run);
    return undefined;
  }
}

/**
 * The directive (once per job, not per run), with the job footer unless the input says not.
 * Files already in the inbox are not this job's. False when the send failed.
 */
export async function sendTheDirective(run: JobRun): Promise<boolean> {
  const { s, input, jobId } = run;
  ignoreFilesAtStart(s, await scanInbox(run, false));
  const text = input.jobFooter === false ? input.directive : `${input.directive}${jobFooter(jobId, s.inboxDir)}`;
  if (!(await sendOnJob(run, text, THE_DIRECTIVE, { queue: false }))) return false;
  s.directiveSent = true;
  startBudget(s, Date.now());
  setState(s, 'watching');
  return true;
}

/**
 * A job waiting for a person, and the person's resolution going back to the peer: through the
 * same send ceremony, then the phone-home file moves to `resolved/` and the job watches again.
 * Workflow code: deterministic.
 */
import { condition } from '@temporalio/workflow';
import type { CarriedJobState, PhoneHome, Resolution } from '../../contracts/job';
import { resolutionMessage } from '../../contracts/phone-home';
import { warn } from '../peer-job-state';
import { failureMessage } from '../failures';
import { budgetAfter, pauseBudget, resumeBudget } from './budget';
import { resolutionLabel, summary, turnResolutionMessage, warning } from './messages';
import { markResolved } from './phone-homes';
import { notifyAwaiting } from './notify';
import { closeStop, recordResolution } from './resolutions';
import { setState, type JobRun } from './run';
import { sendOnJob } from './send';

/** While waiting for a person, wake once a day (history stays small; continue-as-new can happen). */
const AWAIT_WAKE_MS = 24 * 3_600_000;

/** A phone-home, a spent budget or a failed turn: the budget pauses and the job waits (days if need be). */
export async function awaitResolution(run: JobRun): Promise<void> {
  const { s } = run;
  pauseBudget(s, Date.now());
  const stopped = s.state !== 'awaiting-resolution'; // not after a daily wake-up or a continue-as-new
  setState(s, 'awaiting-resolution');
  if (stopped) await notifyAwaiting(run);
  await condition(() => s.pendingResolution !== undefined || s.completion?.source === 'signal', AWAIT_WAKE_MS, {
    summary: `wait for a person's resolution (peer-comms job resolve ${run.jobId})`,
  });
}

/** Sends the pending resolution to the peer, files the phone-home. True when the job ended. */
export async function applyResolution(run: JobRun, r: Resolution): Promise<boolean> {
  const { s, input } = run;
  setState(s, 'resolving');
  const halting = r.decision === 'halt-for-review';
  const nextBudget = halting ? null : budgetAfter(s, r);
  // After a budget stop the agent may still be working: queue behind its turn instead of waiting.
  // A halt starts no work: it is never held back by a hot GPU or a busy rental host.
  const sentBy = await sendOnJob(run, resolutionText(run.jobId, s, r, nextBudget), resolutionLabel(r), {
    queue: r.reason === 'budget',
    by: r.by ?? input.requestedBy,
    workload: halting ? 'none' : input.workload,
  });
  recordResolution(s, r, sentBy);
  if (!sentBy) return true;
  if (r.reason === 'phone-home' && s.current) await filePhoneHome(run, r, s.current);
  closeStop(s);
  if (halting) {
    setState(s, 'halted');
    return true;
  }
  resumeBudget(s, r, nextBudget, Date.now());
  setState(s, 'watching');
  return false;
}

/** The text that tells the peer a person's decision (on a failed turn, on a phone-home or a budget stop). */
function resolutionText(jobId: string, s: CarriedJobState, r: Resolution, budgetMs: number | null): string {
  const failedTurn = r.reason === 'turn-failed' ? s.turn : undefined;
  if (failedTurn) return turnResolutionMessage({ jobId, resolution: r, budgetMs, turn: failedTurn });
  return resolutionMessage({
    jobId,
    reason: r.reason,
    resolution: r,
    file: s.current?.file,
    budgetMs,
    spentBudgetMs: r.reason === 'budget' ? s.budgetMs : undefined,
  });
}

/** Moves the resolved phone-home file to `resolved/` on the peer; a failure is only a warning (nothing is lost). */
async function filePhoneHome({ s, peer, filing }: JobRun, r: Resolution, p: PhoneHome): Promise<void> {
  const topic = p.topic;
  try {
    const m = await filing.resolvePhoneHome.executeWithOptions({ summary: summary.file(topic, peer) }, [
      { peer, topic },
    ]);
    if (m.to) r.movedTo = m.to;
    if (m.reason) r.moveNote = m.reason;
  } catch (err) {
    r.moveNote = warning.notMovedNote(failureMessage(err));
    warn(s, warning.notFiled(topic, failureMessage(err)));
  }
  markResolved(s, p);
}

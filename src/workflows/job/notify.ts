/**
 * What a job tells people (workflows/notify.ts): that it awaits a decision (with the phone-home's
 * heading and the command that resolves it), that it failed (needs attention), that it is done.
 * Workflow code: deterministic.
 */
import { phoneHomeHeading, resolveCommand, type NotifyEvent } from '../../contracts/notify';
import { pendingStop } from '../peer-job-state';
import { tellPeople } from '../notify';
import type { JobRun } from './run';

function jobEvent({ jobId, peer }: JobRun, event: NotifyEvent['event']): NotifyEvent {
  return { event, peer, workflowId: jobId, what: 'job', at: new Date().toISOString() };
}

/** The job now waits for a person: once per stop (the n-th stop of the job: `-notify-awaiting-<n>`). */
export async function notifyAwaiting(run: JobRun): Promise<void> {
  const { s, jobId } = run;
  const stop = pendingStop(s);
  const p = s.current;
  const heading = p
    ? phoneHomeHeading(p.text)
    : stop?.reason === 'budget'
      ? 'The wall-clock budget ran out.'
      : `The agent's turn failed${s.turn?.words ? `: ${s.turn.words}` : '.'}`;
  await tellPeople(
    {
      ...jobEvent(run, 'awaiting-resolution'),
      ...(stop ? { reason: stop.reason } : {}),
      ...(p ? { topic: p.topic, recommendation: p.recommendation } : {}),
      heading,
      resolveCommand: resolveCommand(jobId),
    },
    `awaiting-${s.resolutions.length + 1}`,
  );
}

/** The job ended needing attention (a send or the git sync failed). */
export async function notifyFailed(run: JobRun): Promise<void> {
  await tellPeople({ ...jobEvent(run, 'failed'), error: run.s.attention ?? 'the job needs attention' }, 'failed');
}

/** The job is done (notifiers that opted in to `done`). */
export async function notifyDone(run: JobRun): Promise<void> {
  await tellPeople(jobEvent(run, 'done'), 'done');
}

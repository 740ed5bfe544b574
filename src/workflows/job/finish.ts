/**
 * The end of a job: `git fetch` + `git merge --ff-only` in the controller's repository, then
 * done (or needs-attention when the sync did not go through). Workflow code: deterministic.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ControllerActivities } from '../../activities';
import type { JobStatus } from '../../contracts/job';
import { statusOf } from '../peer-job-state';
import { failureMessage } from '../failures';
import { attention, summary } from './messages';
import { notifyDone, notifyFailed } from './notify';
import { needsAttention, setState, type JobRun } from './run';

/** Git sync: a fetch may be slow; three tries for a flaky remote, then a person looks (needs-attention). */
const syncing = proxyActivities<ControllerActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

export async function finishWithGitSync(run: JobRun): Promise<JobStatus> {
  const { s, jobId } = run;
  setState(s, 'completing');
  let why: string | undefined;
  try {
    const g = await syncing.gitSync.executeWithOptions({ summary: summary.gitSync(jobId) }, [{ jobId }]);
    s.gitSync = { ...g, at: Date.now() };
    if (!g.ok && !g.skipped) why = attention.gitSyncRefused(g.reason);
  } catch (err) {
    s.gitSync = { ok: false, reason: failureMessage(err), at: Date.now() };
    why = attention.gitSyncFailed(failureMessage(err));
  }
  if (why !== undefined) {
    needsAttention(s, why);
    await notifyFailed(run);
    return statusOf(s, Date.now());
  }
  setState(s, 'done');
  await notifyDone(run);
  return statusOf(s, Date.now());
}

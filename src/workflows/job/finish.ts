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
import { needsAttention, setState, type JobRun } from './run';

/** Git sync: a fetch may be slow; three tries for a flaky remote, then a person looks (needs-attention). */
const syncing = proxyActivities<ControllerActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

export async function finishWithGitSync({ s, jobId }: JobRun): Promise<JobStatus> {
  setState(s, 'completing');
  try {
    const g = await syncing.gitSync.executeWithOptions({ summary: summary.gitSync(jobId) }, [{ jobId }]);
    s.gitSync = { ...g, at: Date.now() };
    if (!g.ok && !g.skipped) return needsAttention(s, attention.gitSyncRefused(g.reason));
  } catch (err) {
    s.gitSync = { ok: false, reason: failureMessage(err), at: Date.now() };
    return needsAttention(s, attention.gitSyncFailed(failureMessage(err)));
  }
  setState(s, 'done');
  return statusOf(s, Date.now());
}

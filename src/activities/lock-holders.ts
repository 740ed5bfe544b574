/**
 * lockHolders: the pane lock asks, every few seconds while a send holds the pane, whether the
 * holder (and each queued requester) is still running. A send that was terminated, timed out,
 * failed or completed without releasing the pane is "closed", and the lock frees the pane
 * within seconds instead of at the end of its lease. Runs on the controller worker and reads
 * the workflows through that worker's own Temporal client (`Context.current().client`).
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { HolderStatus, LockHoldersInput } from '../contracts/pane-lock';

export type { HolderStatus, LockHoldersInput };

/** Describes one workflow's latest run: its status name (RUNNING, TERMINATED...). */
export type DescribeWorkflow = (workflowId: string) => Promise<string>;

/**
 * Statuses of a workflow that has closed for good. Anything else (RUNNING, PAUSED, a status this
 * code does not know) keeps the pane: freeing it under a live send would let two sends interleave.
 * `describe()` reads the latest run, so a send that continued as new is judged by its new run.
 */
const CLOSED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']);

/**
 * The status of each workflow id, in order. A workflow the server does not know is closed
 * (gone past retention, or never started); any other error is thrown, so the lock keeps its
 * holder rather than freeing the pane on a failed look-up.
 */
export async function holderStatuses(ids: readonly string[], describe: DescribeWorkflow): Promise<HolderStatus[]> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(
    unique.map(async (workflowId): Promise<HolderStatus> => {
      try {
        const status = await describe(workflowId);
        return { workflowId, status, closed: CLOSED.has(status) };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { workflowId, status: 'NOT_FOUND', closed: true };
        throw err;
      }
    }),
  );
  const byId = new Map(found.map((s) => [s.workflowId, s]));
  return ids.map((id) => byId.get(id) ?? { workflowId: id, status: 'UNKNOWN', closed: false });
}

/**
 * `describe` overrides how a workflow is looked up (unit tests); by default the worker's client
 * describes the workflow's latest run.
 */
export function createLockHolders(describe?: DescribeWorkflow) {
  return async function lockHolders(input: LockHoldersInput): Promise<HolderStatus[]> {
    const look: DescribeWorkflow =
      describe ??
      (async (workflowId) => {
        const d = await Context.current().client.workflow.getHandle(workflowId).describe();
        return d.status.name;
      });
    return holderStatuses(input.workflowIds, look);
  };
}

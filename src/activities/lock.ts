/** requestPaneLock: ask the per-pane lock workflow for the lock (signal-with-start). */
import { Context } from '@temporalio/activity';
import type { ActivityDeps } from './context';

export function createRequestPaneLock(deps: ActivityDeps) {
  return async function requestPaneLock(input: { lockWorkflowId: string; leaseMs: number }): Promise<void> {
    const request = deps.requestPaneLock;
    if (!request) throw new Error('this worker has no Temporal client for pane locks');
    const requester = Context.current().info.workflowExecution?.workflowId;
    if (!requester) throw new Error('requestPaneLock must run inside a workflow');
    await request(input.lockWorkflowId, { requester, leaseMs: input.leaseMs });
  };
}

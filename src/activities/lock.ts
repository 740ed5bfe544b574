/** requestPaneLock: ask the per-pane lock workflow for the lock (signal-with-start). */
import { Context } from '@temporalio/activity';
import type { ControllerDeps } from './context';

export function createRequestPaneLock(deps: Pick<ControllerDeps, 'requestPaneLock'>) {
  return async function requestPaneLock(input: { lockWorkflowId: string; leaseMs: number }): Promise<void> {
    const requester = Context.current().info.workflowExecution?.workflowId;
    if (!requester) throw new Error('requestPaneLock must run inside a workflow');
    await deps.requestPaneLock(input.lockWorkflowId, { requester, leaseMs: input.leaseMs });
  };
}

/**
 * The pane lock, asked for and let go on behalf of a send:
 * - requestPaneLock: ask the per-pane lock workflow for the pane (signal-with-start); the grant
 *   comes as the lockGranted signal.
 * - releasePaneLock: let the pane go (a release signal to the lock): a local activity of sends
 *   since the lean-lock-release patch (src/workflows/send/options.ts); a repeat is harmless.
 */
import { Context } from '@temporalio/activity';
import type { ControllerDeps } from './context';

function requester(what: string): string {
  const id = Context.current().info.workflowExecution?.workflowId;
  if (!id) throw new Error(`${what} must run inside a workflow`);
  return id;
}

export function createRequestPaneLock(deps: Pick<ControllerDeps, 'requestPaneLock'>) {
  return async function requestPaneLock(input: { lockWorkflowId: string; leaseMs: number }): Promise<void> {
    await deps.requestPaneLock(input.lockWorkflowId, {
      requester: requester('requestPaneLock'),
      leaseMs: input.leaseMs,
    });
  };
}

export function createReleasePaneLock(deps: Pick<ControllerDeps, 'releasePaneLock'>) {
  return async function releasePaneLock(input: { lockWorkflowId: string }): Promise<void> {
    await deps.releasePaneLock(input.lockWorkflowId, requester('releasePaneLock'));
  };
}

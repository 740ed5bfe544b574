/**
 * The pane lock, asked for and let go from the send's own worker (local activities since the
 * lean-lock-handoff patch; see src/workflows/send/options.ts):
 * - requestPaneLock: ask the per-pane lock workflow for the pane. With `answer`, by update-with-
 *   start: the answer says whether the pane is the requester's now (no grant signal follows) or
 *   it is queued (the grant signal comes later). Without, by signal-with-start (the grant always
 *   comes as a signal): older sends and slash commands.
 * - releasePaneLock: let the pane go (a signal to the lock); idempotent, so a retry is harmless.
 */
import { Context } from '@temporalio/activity';
import type { PaneLockAnswer } from '../contracts/pane-lock';
import type { ControllerDeps } from './context';

export type { PaneLockAnswer };

type LockDeps = Pick<ControllerDeps, 'requestPaneLock' | 'askPaneLock' | 'releasePaneLock'>;

function requester(what: string): string {
  const id = Context.current().info.workflowExecution?.workflowId;
  if (!id) throw new Error(`${what} must run inside a workflow`);
  return id;
}

export function createRequestPaneLock(deps: Pick<LockDeps, 'requestPaneLock' | 'askPaneLock'>) {
  return async function requestPaneLock(input: {
    lockWorkflowId: string;
    leaseMs: number;
    /** Answer now (update-with-start) instead of by a later signal only. */
    answer?: boolean;
  }): Promise<PaneLockAnswer | null> {
    const request = { requester: requester('requestPaneLock'), leaseMs: input.leaseMs };
    if (input.answer) return deps.askPaneLock(input.lockWorkflowId, request);
    await deps.requestPaneLock(input.lockWorkflowId, request);
    return null;
  };
}

export function createReleasePaneLock(deps: Pick<LockDeps, 'releasePaneLock'>) {
  return async function releasePaneLock(input: { lockWorkflowId: string }): Promise<void> {
    await deps.releasePaneLock(input.lockWorkflowId, requester('releasePaneLock'));
  };
}

/**
 * broadcast: one directive to several peers as one workflow, with a child sendDirective per
 * peer, all at once. Each child is a whole send (its own steps, its own pane lock, its own
 * outcome); a peer that fails does not stop the others. The broadcast ends when every child
 * has, and returns each peer's outcome. The CLI follows the children's progress directly (their
 * ids are derived: broadcastChildId) and this workflow's broadcastProgressQuery for outcomes.
 * Deterministic code only.
 */
import { ApplicationFailure, executeChild, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  broadcastChildId,
  listedTwice,
  type BroadcastInput,
  type BroadcastResult,
  type PeerOutcome,
} from '../contracts/broadcast';
import { ErrorType } from '../contracts/errors';
import { isPeerName } from '../contracts/route';
import { OUTCOME_ATTR, PEER_ATTR } from '../contracts/search-attributes';
import { formatRefusal, gateText } from '../contracts/text-gate';
import { broadcastProgressQuery } from './definitions';
import { failureMessage, failureType } from './failures';
import type { sendDirective } from './send-directive';

export { broadcastProgressQuery };

/** Broadcasts recorded before it started their children without search attributes. */
const CHILD_ATTRIBUTES_PATCH = 'broadcast-searchable-children';

export async function broadcast(input: BroadcastInput): Promise<BroadcastResult> {
  const { workflowId } = workflowInfo();
  // The same input gate as the CLI's (for starts from the UI): checked once here, and again by each child.
  const peers = checkInput(input);
  const rows: PeerOutcome[] = peers.map((peer) => ({ peer, workflowId: broadcastChildId(workflowId, peer) }));
  setHandler(broadcastProgressQuery, () => ({ workflowId, peers: rows }));
  const { text, mode, queue, requestedBy, workload } = input;
  // Since this patch the children start searchable (Peer, Outcome `running`): each skips its upsert.
  const searchable = patched(CHILD_ATTRIBUTES_PATCH);
  await Promise.all(
    rows.map(async (row) => {
      try {
        const result = await executeChild<typeof sendDirective>('sendDirective', {
          workflowId: row.workflowId,
          args: [{ peer: row.peer, text, mode, queue, requestedBy, workload }],
          ...(searchable
            ? {
                typedSearchAttributes: [
                  { key: PEER_ATTR, value: row.peer },
                  { key: OUTCOME_ATTR, value: 'running' },
                ],
              }
            : {}),
          // One attempt, as a single send: a send that failed is reported, not silently re-run.
          workflowExecutionTimeout: '2 days',
        });
        row.result = result;
        row.outcome = result.outcome;
      } catch (err) {
        row.outcome = 'failed';
        row.error = { type: failureType(err), message: failureMessage(err) };
      }
    }),
  );
  return { workflowId, peers: rows };
}

function checkInput(input: BroadcastInput): string[] {
  const peers = Array.isArray(input?.peers) ? input.peers : [];
  const bad = peers.filter((p) => !isPeerName(p));
  if (peers.length === 0 || bad.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `a broadcast needs a list of peer names; ${peers.length === 0 ? 'none was given' : `not a peer name: ${bad.map((p) => JSON.stringify(p)).join(', ')}`}`,
      ErrorType.InvalidInput,
    );
  }
  const twice = listedTwice(peers);
  if (twice.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `listed twice: ${twice.join(', ')} (one send per pane at a time: a second would wait for the first)`,
      ErrorType.InvalidInput,
    );
  }
  const gate = gateText(input.text);
  if (!gate.ok) throw ApplicationFailure.nonRetryable(formatRefusal(gate), ErrorType.InvalidInput);
  return peers;
}

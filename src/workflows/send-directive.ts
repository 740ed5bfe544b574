/**
 * sendDirective: one send of a directive to the agent in a peer's tmux pane, as durable steps:
 * preflight → policy → credentials → session → pane lock → ready (look at the screen, wait
 * while busy) → deliver → submit (C-m) → ack → outcome (audit). Each step is a module under
 * ./send/; their bookkeeping is ./send/state.ts, their words to people ./send/messages.ts.
 * Deterministic code only; every side effect is an activity with its own timeout and retries.
 */
import { patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { OUTCOME_ATTR, PEER_ATTR } from '../contracts/search-attributes';
import type { SendDirectiveInput, SendResult } from '../contracts/send';
import { lockGrantedSignal, progressQuery } from './definitions';
import { deliverUntilAcked } from './send/attempts';
import { credentials } from './send/credentials';
import { deliveryPath, validate } from './send/input';
import { failed, outcome } from './send/outcome';
import { LEAN_HISTORY_PATCH, LEAN_LOCK_PATCH, LEAN_SEND_PATCH } from './send/options';
import { askForPane, awaitPane } from './send/pane';
import { reachPeer } from './send/peer';
import { policy, preflight } from './send/policy';
import { session } from './send/session';
import { SendState, type Send } from './send/state';

export { deliveryIdFor } from './send/input';

export { progressQuery };

export async function sendDirective(input: SendDirectiveInput): Promise<SendResult> {
  const { workflowId } = workflowInfo();
  const state = new SendState(workflowId, input?.peer);
  // One marker for all: each older patch is asked only without the newer ones.
  state.leanHistory = patched(LEAN_HISTORY_PATCH);
  state.leanLock = state.leanHistory || patched(LEAN_LOCK_PATCH);
  state.lean = state.leanLock || patched(LEAN_SEND_PATCH);
  setHandler(progressQuery, () => state.progress);
  setHandler(lockGrantedSignal, () => state.lockWasGranted());

  // From here on the text is the normalised one (CRLF and CR as LF): that is what is delivered.
  input = { ...input, text: validate(input) };
  const path = deliveryPath(input);
  if (!(state.leanHistory && startedSearchable(input.peer))) {
    upsertSearchAttributes([
      { key: PEER_ATTR, value: input.peer },
      { key: OUTCOME_ATTR, value: 'running' },
    ]);
  }
  const send: Send = { input, peer: input.peer, workflowId, path, workload: input.workload ?? 'cpu', state };

  try {
    // 1. preflight, and meanwhile ask for the pane lock (one send at a time per pane)
    const checking = state.begin('preflight');
    const lockRequested = askForPane(send);
    const at = await reachPeer(send); // where the peer's steps run: the controller, or the peer worker's queue
    const report = await preflight(send, at, checking);
    await policy(send, at, report); // GPU guard, a rental peer's load rule
    await credentials(send, at, report); // pushed from the controller when due
    await session(send, at, report); // restarted when gone
    await awaitPane(send, lockRequested, report);
    // 5–8: ready, deliver, submit, ack; again after a recoverable failed turn or a lost session
    const ack = await deliverUntilAcked(send, at, report);
    return await outcome(send, at, ack);
  } catch (caught) {
    throw await failed(send, caught);
  }
}

/** The send was started with Peer (this peer) and Outcome `running` already set (by startSend or a broadcast). */
function startedSearchable(peer: string): boolean {
  const attrs = workflowInfo().typedSearchAttributes;
  return attrs.get(PEER_ATTR) === peer && attrs.get(OUTCOME_ATTR) === 'running';
}

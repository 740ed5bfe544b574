/**
 * Contracts of the broadcast workflow: one directive to several peers, one child sendDirective
 * per peer. Plain JSON only. Workflow-safe (no Node builtins).
 */
import type { SendDirectiveInput, SendOutcome, SendResult } from './send';

export interface BroadcastInput extends Omit<SendDirectiveInput, 'peer'> {
  /** Each peer once, in the order given. */
  peers: string[];
}

/** One peer's part: its child send and, once it ended, how. */
export interface PeerOutcome {
  peer: string;
  /** The child sendDirective's workflow id. */
  workflowId: string;
  /** Undefined while the child runs. */
  outcome?: SendOutcome;
  result?: SendResult;
  error?: { type: string; message: string };
}

export interface BroadcastProgress {
  workflowId: string;
  peers: PeerOutcome[];
}

export interface BroadcastResult {
  workflowId: string;
  /** Every peer, each with its outcome (never undefined here). */
  peers: PeerOutcome[];
}

/**
 * The child send's workflow id for a peer: the single-send scheme (`send-<peer>-<time>-<hex>`)
 * with the broadcast's time and suffix, so `broadcast-20260101-120000-abc123` sends to p1 as
 * `send-p1-20260101-120000-abc123`. An id without the `broadcast-` prefix (a start from the UI)
 * is kept whole after the peer.
 */
export function broadcastChildId(broadcastId: string, peer: string): string {
  const rest = broadcastId.startsWith('broadcast-') ? broadcastId.slice('broadcast-'.length) : broadcastId;
  return `send-${peer}-${rest}`;
}

/** Worst first: the overall outcome of a broadcast is the worst of its peers'. */
export const OUTCOME_SEVERITY: readonly SendOutcome[] = ['failed', 'unconfirmed', 'queued', 'acked'];

/** The worst outcome among the peers ('acked' only when every peer acked). */
export function worstOutcome(outcomes: (SendOutcome | undefined)[]): SendOutcome {
  let worst = OUTCOME_SEVERITY.length - 1;
  for (const o of outcomes) worst = Math.min(worst, o === undefined ? 0 : OUTCOME_SEVERITY.indexOf(o));
  return OUTCOME_SEVERITY[worst]!;
}

/** Names listed more than once (each a child would queue behind itself on the same pane lock). */
export function listedTwice(peers: readonly string[]): string[] {
  return [...new Set(peers.filter((p, i) => peers.indexOf(p) !== i))];
}

/**
 * awaitAck's input and result, and the pure judgements of one poll: which screen states are the
 * turn failing, a usage-limit answer, what the screen alone proves.
 */
import type { AckSource, TurnState } from '../contracts/send';
import type { TurnVerdict } from '../receipts/records';
import type { RecordCursor } from './receipts';
import type { ScreenReading } from './screen';

export interface AwaitAckInput {
  peer: string;
  /** Counts seen before the paste, to tell a finished new turn from an old one. */
  baseline: { turnsDone: number; promptEchoes: number; state?: string };
  /** Where the agent's records stood before the paste (null: no records to read). */
  cursor?: RecordCursor | null;
  /** sha256 of the sent text in the agent's canonical form (DeliverResult.receiptSha256). */
  receiptSha256?: string;
  queue: boolean;
  timeoutMs: number;
  /** How long a received turn must show no API error before it is acked. */
  confirmMs?: number;
  maxExtraEnters: number;
  /** How long the text may sit in the input box before C-m is pressed again. */
  reEnterAfterMs?: number;
  /** How long the screen may show the turn without any receipt before the screen alone decides. */
  receiptWaitMs?: number;
  pollMs?: number;
}

export interface Receipt {
  source: 'hook' | 'transcript';
  at: string;
  session?: string;
  promptId?: string;
  /** UTF-8 bytes of the received text (canonical form). */
  length: number;
}

export interface AckResult {
  outcome: 'acked' | 'queued' | 'unconfirmed';
  /** What decided the outcome. */
  ackSource: AckSource;
  evidence: string;
  /** The agent's receipt of the text, when it reported one. */
  receipt?: Receipt;
  /** The turn as last seen. */
  turn: TurnState;
  extraEnters: number;
  polls: number;
  elapsedMs: number;
}

/** Details of an AgentError raised here (the workflow reads them to choose a recovery). */
export interface AgentErrorDetails {
  /** The screen state when the error was seen on screen (`error:oauth`, …). */
  state?: string;
  /** The agent's error type: StopFailure `error` (authentication_failed, rate_limit, …), or one read from the screen. */
  agentError: string;
  /** The agent reported receiving the text before the turn failed. */
  received: boolean;
  /** The agent's own words (error_details, or the screen line). */
  words?: string;
  screen?: string;
}

/** The screen states that are the turn failing, and the agent error each stands for. */
export function agentErrorOfState(state: string): string | null {
  if (!state.startsWith('error:')) return null;
  const kind = state.slice('error:'.length);
  if (kind === 'oauth') return 'authentication_failed';
  if (kind === 'rate_limit' || kind === 'usage_limit') return 'rate_limit';
  return kind;
}

/** An OAuth usage-limit answer (`You've hit your 5-hour limit · resets 5:17am`), which Claude Code continues by itself. */
export function isUsageLimit(words: string | undefined): boolean {
  return !!words && /usage limit|hit your [\w -]*limit|limit · resets|resets \d/i.test(words);
}

/** A screen error that the agent is still retrying by itself (the turn may yet recover). */
export function retryingOnScreen(s: ScreenReading): boolean {
  return s.busy || s.state === 'error:api' || (s.state.startsWith('error:') && /retrying/i.test(s.evidence));
}

export function ackFromScreen(s: ScreenReading, input: AwaitAckInput): 'acked' | 'queued' | null {
  if (s.input) return null;
  if (s.queued && input.queue) return 'queued';
  if (s.state === 'working') return 'acked';
  if (s.state === 'idle' && (s.turnsDone > input.baseline.turnsDone || s.promptEchoes > input.baseline.promptEchoes)) {
    return 'acked';
  }
  return null;
}

export function toReceipt(v: TurnVerdict): Receipt | undefined {
  const r = v.receipt;
  if (!r) return undefined;
  return { source: r.source, at: r.at, session: r.session, promptId: r.promptId, length: r.length };
}

/** The awaitAck activity's input and result, and the details of an AgentError it raises. Plain JSON only. */
import type { AckSource, TurnState } from './send';
import type { RecordCursor } from './records';

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
  /** The delivery whose tmux buffers to remove once the ack is decided (activities/ack-cleanup.ts). */
  deliveryId?: string;
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
  /** The delivery id whose buffers the ack step removed (absent: the workflow removes them). */
  buffersRemoved?: string;
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

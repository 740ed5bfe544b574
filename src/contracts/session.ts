/** The recoverSession activity's input and result, and what a look at the agent's screen reports. Plain JSON only. */
import type { ReceiptSources, RecordCursor } from './records';

export interface RecoverResult {
  method: 'systemd' | 'tmux' | 'already-alive';
  /** The session was alive and was restarted on purpose (after an OAuth 401). */
  restarted?: boolean;
  waitedMs: number;
  state: string;
}

export interface ScreenSummary {
  state: string;
  input: string | null;
  /** A turn is in progress (working, or an error the agent is still retrying); absent in old histories. */
  busy?: boolean;
  queued: boolean;
  evidence: string;
  turnsDone: number;
  promptEchoes: number;
  tail: string;
  leftCopyMode: boolean;
  /** Where the agent's records stood at this look (absent in old histories). */
  cursor?: RecordCursor;
  /** Which receipt sources the agent has (hook event log, transcript). */
  sources?: ReceiptSources;
}

export interface RecoverInput {
  peer: string;
  /**
   * Restart a live session too (the agent reads fresh credentials only when it starts): systemd
   * restarts the unit, the tmux method kills the session and creates it anew.
   */
  restart?: boolean;
  /** Keep the conversation (`--continue`) when the tmux method restarts the agent. */
  continueConversation?: boolean;
}

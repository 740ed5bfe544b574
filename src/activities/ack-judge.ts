/**
 * The pure judgements of one awaitAck poll: which screen states are the turn failing, a
 * usage-limit answer, what the screen alone proves. (awaitAck's input and result: contracts/ack.ts.)
 */
import type { TurnVerdict } from '../receipts/records';
import type { ScreenReading } from './screen';
import type { AckResult, AgentErrorDetails, AwaitAckInput, Receipt } from '../contracts/ack';

export type { AckResult, AgentErrorDetails, AwaitAckInput, Receipt };

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

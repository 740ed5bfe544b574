/**
 * The judgements of one awaitAck, poll by poll (activities/ack.ts runs the loop): what the agent's
 * records and screen say, in the order that decides — a usage limit, a failed turn, a receipt
 * confirmed, the screen alone — and pressing C-m again while the text sits unsent.
 */
import { ErrorType } from '../contracts/errors';
import type { AckSource, TurnState } from '../contracts/send';
import {
  ackFromScreen,
  agentErrorOfState,
  isUsageLimit,
  retryingOnScreen,
  toReceipt,
  type AckResult,
  type AgentErrorDetails,
  type AwaitAckInput,
} from './ack-judge';
import { judgeTurn, type AgentRecord, type TurnVerdict } from '../receipts/records';
import { sendKey } from '../tmux/commands';
import { fail, run, type PeerContext } from './context';
import type { RecordCursor, RecordsRead } from './receipts';
import type { ScreenReading } from './screen';

/** What one awaitAck has seen so far. */
export interface AckWatch {
  input: AwaitAckInput;
  now: () => number;
  started: number;
  confirmMs: number;
  receiptWaitMs: number;
  reEnterAfterMs: number;
  wantReceipt: boolean;
  cursor: RecordCursor | null;
  records: AgentRecord[];
  hasSources: boolean;
  lastSource: AckSource;
  verdict: TurnVerdict;
  receivedAt: number | null;
  screenAckAt: number | null;
  extraEnters: number;
  polls: number;
  inputSince: number | null;
}

export function startWatch(input: AwaitAckInput, now: () => number): AckWatch {
  return {
    input,
    now,
    started: now(),
    confirmMs: input.confirmMs ?? 3000,
    receiptWaitMs: input.receiptWaitMs ?? 10_000,
    reEnterAfterMs: input.reEnterAfterMs ?? 800,
    wantReceipt: !!input.cursor && !!input.receiptSha256,
    cursor: input.cursor ?? null,
    records: [],
    hasSources: false,
    lastSource: 'screen',
    verdict: { ended: false, otherPrompts: 0 },
    receivedAt: null,
    screenAckAt: null,
    extraEnters: 0,
    polls: 0,
    inputSince: null,
  };
}

function done(
  w: AckWatch,
  outcome: AckResult['outcome'],
  ackSource: AckSource,
  evidence: string,
  turn: TurnState,
): AckResult {
  return {
    outcome,
    ackSource,
    evidence,
    receipt: toReceipt(w.verdict),
    turn,
    extraEnters: w.extraEnters,
    polls: w.polls,
    elapsedMs: w.now() - w.started,
  };
}

function agentFailure(ctx: PeerContext, d: AgentErrorDetails, message: string) {
  return fail(ErrorType.AgentError, `${ctx.name}: ${message}`, d);
}

/** Takes the records read since the last poll (and the cursor after them) and judges the turn again. */
export function applyRecords(w: AckWatch, r: RecordsRead): void {
  if (!w.input.receiptSha256) return;
  w.cursor = r.cursor;
  w.records.push(...r.records);
  w.hasSources = r.sources.hook || r.sources.transcript;
  w.lastSource = r.sources.hook ? 'hook' : r.sources.transcript ? 'transcript' : 'screen';
  w.verdict = judgeTurn(w.records, w.input.receiptSha256);
}

/**
 * 0. An OAuth usage limit: the agent itself continues the turn at the reset (FINDINGS §1b), so
 * the text is received and waits; delivering it again would duplicate it.
 */
export function usageLimitResult(w: AckWatch, s: ScreenReading, received: boolean): AckResult | undefined {
  const { verdict } = w;
  const usageLimit =
    (verdict.error?.error === 'rate_limit' && isUsageLimit(verdict.error.details)) ||
    (received && s.state === 'error:usage_limit');
  if (!(received && usageLimit)) return undefined;
  const words = verdict.error?.details ?? s.evidence;
  return done(
    w,
    'queued',
    verdict.receipt?.source ?? 'hook',
    `received; the account's usage limit is reached and the agent continues by itself when it resets ("${words}"): nothing is sent again`,
    'queued',
  );
}

/**
 * The agent's words in a screen line, without the glyph the TUI puts before a message
 * (`● API Error: …`, `⎿ …`): the same words the hook's StopFailure record carries, whichever
 * source saw the failure first.
 */
export function screenWords(line: string): string {
  return line.replace(/^[●⏺⎿✻*]\s*/u, '');
}

/**
 * 1-2. Throws when the records or the screen say the turn failed (or a dialog took the screen
 * before the text was received); else returns the error the screen shows this turn, if any.
 */
export function checkTurnFailure(ctx: PeerContext, w: AckWatch, s: ScreenReading, received: boolean): string | null {
  const { verdict, input } = w;
  // 1. the agent's records say the turn failed
  if (verdict.error) {
    throw agentFailure(
      ctx,
      { agentError: verdict.error.error, received: true, words: verdict.error.details, screen: s.tail },
      `the agent received the text (${verdict.error.source} receipt) but its turn failed: ${verdict.error.error}${verdict.error.details ? ` (${verdict.error.details})` : ''}`,
    );
  }
  // 2. the screen shows the turn failing (a final error, or one it can no longer retry away)
  // An error the screen showed before the paste (an earlier turn's) is not this turn's until
  // the text is received or echoed above it.
  const stale = !received && s.state === input.baseline.state && s.promptEchoes <= input.baseline.promptEchoes;
  const screenError = stale ? null : agentErrorOfState(s.state);
  if (screenError && !retryingOnScreen(s)) {
    throw agentFailure(
      ctx,
      { state: s.state, agentError: screenError, received, words: screenWords(s.evidence), screen: s.tail },
      `the agent shows ${s.state}: "${s.evidence}"${received ? ' (it received the text)' : ''}${s.state === 'error:oauth' ? ' — push fresh credentials and restart the agent' : ''}`,
    );
  }
  if (s.state === 'error:oauth' && !stale) {
    // 401 being retried: it will not heal by itself (the agent reads credentials at start)
    throw agentFailure(
      ctx,
      { state: s.state, agentError: 'authentication_failed', received, words: screenWords(s.evidence), screen: s.tail },
      `the agent's API calls are refused with a 401: "${s.evidence}"`,
    );
  }
  if (s.state.startsWith('dialog:') && !received) {
    throw fail(
      ErrorType.DialogOnScreen,
      `${ctx.name}: the agent shows a ${s.state.slice(7)} dialog: "${s.evidence}"; nothing was typed into it. Answer it on the peer, then send again`,
      { screen: s.tail },
    );
  }
  return screenError;
}

/** 3. Received: ack once the turn ended well, or stayed free of errors for the confirmation window. */
export function ackReceived(
  w: AckWatch,
  s: ScreenReading,
  now: number,
  failingOnScreen: boolean,
): AckResult | undefined {
  if (w.receivedAt === null) return undefined;
  const source = w.verdict.receipt?.source ?? 'hook';
  // Claude Code reports a prompt queued behind a busy turn at once: received, not yet worked on
  if (w.input.queue && s.queued && !w.verdict.ended) {
    return done(w, 'queued', source, `received (${source}), queued behind the current turn: ${s.evidence}`, 'queued');
  }
  if (w.verdict.ended) return done(w, 'acked', source, `received (${source}); the turn ended`, 'done');
  if (!failingOnScreen && now - w.receivedAt >= w.confirmMs) {
    return done(
      w,
      'acked',
      source,
      `received (${source}); no API error for ${w.confirmMs} ms: ${s.evidence}`,
      'working',
    );
  }
  return undefined;
}

/** 4. No receipt yet: queued is a screen fact; the screen decides alone only without records. */
export function ackOnScreen(
  w: AckWatch,
  s: ScreenReading,
  now: number,
  failingOnScreen: boolean,
): AckResult | undefined {
  const fromScreen = ackFromScreen(s, w.input);
  if (fromScreen === 'queued') return done(w, 'queued', 'screen', s.evidence, 'queued');
  // A turn seen working that ended idle, box empty, no error: still the screen's proof, even
  // when a full pane scrolled the new echo's count away (the counts stay at the baseline).
  const endedAfterWork = w.screenAckAt !== null && s.state === 'idle' && s.input === '';
  if (!((fromScreen === 'acked' || endedAfterWork) && !failingOnScreen)) {
    w.screenAckAt = null;
    return undefined;
  }
  w.screenAckAt ??= now;
  const noRecords = !w.wantReceipt || !w.hasSources;
  const waited = now - w.screenAckAt;
  if (!((noRecords && waited >= w.confirmMs) || waited >= w.receiptWaitMs)) return undefined;
  return done(
    w,
    'acked',
    'screen',
    `${s.evidence}${noRecords ? ' (the agent keeps no records: screen only)' : ` (no receipt within ${w.receiptWaitMs} ms: screen only)`}`,
    s.state === 'working' ? 'working' : 'done',
  );
}

/** The text still sits in the input box: press C-m again (at most maxExtraEnters). */
export async function pressAgainIfStuck(
  ctx: PeerContext,
  w: AckWatch,
  s: ScreenReading,
  received: boolean,
  now: number,
): Promise<void> {
  if (!(s.input && !received)) {
    w.inputSince = null;
    return;
  }
  w.inputSince ??= now;
  if (now - w.inputSince >= w.reEnterAfterMs && w.extraEnters < w.input.maxExtraEnters) {
    await run(ctx, 'C-m again', sendKey(ctx.sock, ctx.target, 'C-m'));
    w.extraEnters++;
    w.inputSince = null;
  }
}

/** The deadline passed: a failing received turn, a text stuck in the box, or unconfirmed. */
export function timedOut(
  ctx: PeerContext,
  w: AckWatch,
  s: ScreenReading,
  received: boolean,
  screenError: string | null,
): AckResult {
  const { timeoutMs } = w.input;
  if (received) {
    // received, but the turn kept failing on screen the whole time
    throw agentFailure(
      ctx,
      {
        state: s.state,
        agentError: screenError ?? 'unknown',
        received: true,
        words: screenWords(s.evidence),
        screen: s.tail,
      },
      `the agent received the text but its turn still shows ${s.state} ("${s.evidence}") after ${timeoutMs} ms`,
    );
  }
  if (s.input) {
    throw fail(
      ErrorType.AckTimeout,
      `${ctx.name}: the text still sits unsent in the agent's input box after ${timeoutMs} ms and ${w.extraEnters} extra C-m (screen: ${s.state}); last lines:\n${s.tail}`,
      { state: s.state, screen: s.tail },
    );
  }
  return done(
    w,
    'unconfirmed',
    w.lastSource,
    `no receipt from the agent and nothing on screen proves it took the text (screen: ${s.state}); check with peer-comms peek ${ctx.name} before sending again`,
    'unknown',
  );
}

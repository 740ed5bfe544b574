/**
 * awaitAck: did the agent receive exactly this text, and is its turn not failing?
 *
 * The agent's own records decide (receipts/): a prompt whose canonical sha256 matches the sent
 * text is the receipt (the hook's UserPromptSubmit line, or the transcript's user entry). Then,
 * for a confirmation window, the turn must show no API error: no StopFailure / API error entry,
 * no error on the screen (`API error · retrying`, 401, 429). A turn that ends well (Stop) within
 * the window confirms at once. The screen is the fallback source, only when the agent has no
 * records at all, and the result says which source decided.
 *
 * Outcomes: acked (received, turn healthy), queued (`--queue`, the agent shows it queued),
 * unconfirmed (nothing can tell: no receipt, no text left in the box), or a typed failure:
 * AgentError carries `{ agentError, received }` so the workflow can recover (401, rate limit,
 * overload) — a text that was received is never reported as not delivered.
 *
 * C-m is pressed again only when the screen proves the text still sits unsent in the input box
 * (a C-m swallowed as part of the paste), and at most maxExtraEnters times.
 */
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { ErrorType } from '../contracts/errors';
import type { AckSource, TurnState } from '../contracts/send';
import { judgeTurn, type AgentRecord, type TurnVerdict } from '../receipts/records';
import { sendKey } from '../tmux/commands';
import { fail, peerContext, run, type PeerDeps } from './context';
import { readRecordsSince, type RecordCursor } from './receipts';
import { readScreen, type ScreenReading } from './screen';

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
function retryingOnScreen(s: ScreenReading): boolean {
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

function toReceipt(v: TurnVerdict): Receipt | undefined {
  const r = v.receipt;
  if (!r) return undefined;
  return { source: r.source, at: r.at, session: r.session, promptId: r.promptId, length: r.length };
}

export function createAwaitAck(deps: PeerDeps) {
  return async function awaitAck(input: AwaitAckInput): Promise<AckResult> {
    const ctx = await peerContext(deps, input.peer);
    const signal = cancellationSignal();
    const started = deps.now();
    const pollMs = input.pollMs ?? 100;
    const reEnterAfterMs = input.reEnterAfterMs ?? 800;
    const confirmMs = input.confirmMs ?? 3000;
    const receiptWaitMs = input.receiptWaitMs ?? 10_000;
    const wantReceipt = !!input.cursor && !!input.receiptSha256;
    let cursor = input.cursor ?? null;
    const records: AgentRecord[] = [];
    let hasSources = false;
    let lastSource: AckSource = 'screen';
    let verdict: TurnVerdict = { ended: false, otherPrompts: 0 };
    let receivedAt: number | null = null;
    let screenAckAt: number | null = null;
    let extraEnters = 0;
    let polls = 0;
    let inputSince: number | null = null;
    const done = (
      outcome: AckResult['outcome'],
      ackSource: AckSource,
      evidence: string,
      turn: TurnState,
    ): AckResult => ({
      outcome,
      ackSource,
      evidence,
      receipt: toReceipt(verdict),
      turn,
      extraEnters,
      polls,
      elapsedMs: deps.now() - started,
    });
    const agentFailure = (d: AgentErrorDetails, message: string) =>
      fail(ErrorType.AgentError, `${ctx.name}: ${message}`, d);

    for (;;) {
      const s = await readScreen(ctx);
      polls++;
      if (wantReceipt && cursor && input.receiptSha256) {
        const r = await readRecordsSince(ctx, cursor);
        cursor = r.cursor;
        records.push(...r.records);
        hasSources = r.sources.hook || r.sources.transcript;
        lastSource = r.sources.hook ? 'hook' : r.sources.transcript ? 'transcript' : 'screen';
        verdict = judgeTurn(records, input.receiptSha256);
      }
      const now = deps.now();
      const received = !!verdict.receipt;
      if (received) receivedAt ??= now;
      heartbeat({ polls, state: s.state, extraEnters, received });

      // 0. an OAuth usage limit: the agent itself continues the turn at the reset (FINDINGS §1b),
      // so the text is received and waits; delivering it again would duplicate it
      const usageLimit =
        (verdict.error?.error === 'rate_limit' && isUsageLimit(verdict.error.details)) ||
        (received && s.state === 'error:usage_limit');
      if (received && usageLimit) {
        const words = verdict.error?.details ?? s.evidence;
        return done(
          'queued',
          verdict.receipt?.source ?? 'hook',
          `received; the account's usage limit is reached and the agent continues by itself when it resets ("${words}"): nothing is sent again`,
          'queued',
        );
      }
      // 1. the agent's records say the turn failed
      if (verdict.error) {
        throw agentFailure(
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
          { state: s.state, agentError: screenError, received, words: s.evidence, screen: s.tail },
          `the agent shows ${s.state}: "${s.evidence}"${received ? ' (it received the text)' : ''}${s.state === 'error:oauth' ? ' — push fresh credentials and restart the agent' : ''}`,
        );
      }
      if (s.state === 'error:oauth' && !stale) {
        // 401 being retried: it will not heal by itself (the agent reads credentials at start)
        throw agentFailure(
          { state: s.state, agentError: 'authentication_failed', received, words: s.evidence, screen: s.tail },
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
      const failingOnScreen = screenError !== null;

      // 3. received: ack once the turn ended well, or stayed free of errors for the window
      if (received && receivedAt !== null) {
        const source = verdict.receipt?.source ?? 'hook';
        // Claude Code reports a prompt queued behind a busy turn at once: received, not yet worked on
        if (input.queue && s.queued && !verdict.ended) {
          return done(
            'queued',
            source,
            `received (${source}), queued behind the current turn: ${s.evidence}`,
            'queued',
          );
        }
        if (verdict.ended) return done('acked', source, `received (${source}); the turn ended`, 'done');
        if (!failingOnScreen && now - receivedAt >= confirmMs) {
          return done(
            'acked',
            source,
            `received (${source}); no API error for ${confirmMs} ms: ${s.evidence}`,
            'working',
          );
        }
      } else {
        // 4. no receipt yet: queued is a screen fact; the screen decides alone only without records
        const fromScreen = ackFromScreen(s, input);
        if (fromScreen === 'queued') return done('queued', 'screen', s.evidence, 'queued');
        // A turn seen working that ended idle, box empty, no error: still the screen's proof, even
        // when a full pane scrolled the new echo's count away (the counts stay at the baseline).
        const endedAfterWork = screenAckAt !== null && s.state === 'idle' && s.input === '';
        if ((fromScreen === 'acked' || endedAfterWork) && !failingOnScreen) {
          screenAckAt ??= now;
          const noRecords = !wantReceipt || !hasSources;
          const waited = now - screenAckAt;
          if ((noRecords && waited >= confirmMs) || waited >= receiptWaitMs) {
            return done(
              'acked',
              'screen',
              `${s.evidence}${noRecords ? ' (the agent keeps no records: screen only)' : ` (no receipt within ${receiptWaitMs} ms: screen only)`}`,
              s.state === 'working' ? 'working' : 'done',
            );
          }
        } else {
          screenAckAt = null;
        }
      }

      // the text still sits in the input box: press C-m again (at most maxExtraEnters)
      if (s.input && !received) {
        inputSince ??= now;
        if (now - inputSince >= reEnterAfterMs && extraEnters < input.maxExtraEnters) {
          await run(ctx, 'C-m again', sendKey(ctx.sock, ctx.target, 'C-m'));
          extraEnters++;
          inputSince = null;
        }
      } else {
        inputSince = null;
      }

      if (now - started > input.timeoutMs) {
        if (received) {
          // received, but the turn kept failing on screen the whole time
          throw agentFailure(
            { state: s.state, agentError: screenError ?? 'unknown', received: true, words: s.evidence, screen: s.tail },
            `the agent received the text but its turn still shows ${s.state} ("${s.evidence}") after ${input.timeoutMs} ms`,
          );
        }
        if (s.input) {
          throw fail(
            ErrorType.AckTimeout,
            `${ctx.name}: the text still sits unsent in the agent's input box after ${input.timeoutMs} ms and ${extraEnters} extra C-m (screen: ${s.state}); last lines:\n${s.tail}`,
            { state: s.state, screen: s.tail },
          );
        }
        return done(
          'unconfirmed',
          lastSource,
          `no receipt from the agent and nothing on screen proves it took the text (screen: ${s.state}); check with peer-comms peek ${ctx.name} before sending again`,
          'unknown',
        );
      }
      await deps.sleep(pollMs, signal);
    }
  };
}

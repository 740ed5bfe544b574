/**
 * awaitAck: poll the screen until the agent visibly took the text, heartbeating each poll.
 * C-m is pressed again only when the screen proves the text still sits unsent in the input
 * box (a C-m swallowed as part of the paste), and at most maxExtraEnters times.
 */
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { ErrorType } from '../contracts/errors';
import { sendKey } from '../tmux/commands';
import { fail, peerContext, run, type ActivityDeps } from './context';
import { readScreen, type ScreenReading } from './screen';

export interface AwaitAckInput {
  peer: string;
  /** Counts seen before the paste, to tell a finished new turn from an old one. */
  baseline: { turnsDone: number; promptEchoes: number };
  queue: boolean;
  timeoutMs: number;
  maxExtraEnters: number;
  /** How long the text may sit in the input box before C-m is pressed again. */
  reEnterAfterMs?: number;
  pollMs?: number;
}

export interface AckResult {
  outcome: 'acked' | 'queued';
  evidence: string;
  extraEnters: number;
  polls: number;
  elapsedMs: number;
}

export function ackFromScreen(s: ScreenReading, input: AwaitAckInput): AckResult['outcome'] | null {
  if (s.input) return null;
  if (s.queued && input.queue) return 'queued';
  if (s.state === 'working') return 'acked';
  if (s.state === 'idle' && (s.turnsDone > input.baseline.turnsDone || s.promptEchoes > input.baseline.promptEchoes)) {
    return 'acked';
  }
  return null;
}

export function createAwaitAck(deps: ActivityDeps) {
  return async function awaitAck(input: AwaitAckInput): Promise<AckResult> {
    const ctx = await peerContext(deps, input.peer);
    const signal = cancellationSignal();
    const started = deps.now();
    const pollMs = input.pollMs ?? 100;
    const reEnterAfterMs = input.reEnterAfterMs ?? 800;
    let extraEnters = 0;
    let polls = 0;
    let inputSince: number | null = null;
    for (;;) {
      const s = await readScreen(ctx);
      polls++;
      heartbeat({ polls, state: s.state, extraEnters });
      if (s.state.startsWith('dialog:')) {
        throw fail(
          ErrorType.DialogOnScreen,
          `${ctx.name}: the agent shows a ${s.state.slice(7)} dialog: "${s.evidence}"; nothing was typed into it. Answer it on the peer, then send again`,
          { screen: s.tail },
        );
      }
      if (s.state.startsWith('error:')) {
        throw fail(
          ErrorType.AgentError,
          `${ctx.name}: the agent shows ${s.state}: "${s.evidence}"${s.state === 'error:oauth' ? ' — push fresh credentials (peer-comms send refreshes them when they expire within the window) and restart the agent' : ''}`,
          { state: s.state, screen: s.tail },
        );
      }
      const outcome = ackFromScreen(s, input);
      if (outcome) {
        return { outcome, evidence: s.evidence, extraEnters, polls, elapsedMs: deps.now() - started };
      }
      const now = deps.now();
      if (s.input) {
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
        throw fail(
          ErrorType.AckTimeout,
          `${ctx.name}: the agent did not visibly start working within ${input.timeoutMs} ms (screen: ${s.state}${s.input ? `, input still holds "${s.input.slice(0, 60)}"` : ''}, ${extraEnters} extra C-m); last lines:\n${s.tail}`,
          { state: s.state, screen: s.tail },
        );
      }
      await deps.sleep(pollMs, signal);
    }
  };
}

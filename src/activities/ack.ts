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
 * Each poll reads the screen and the records since the last one in one round trip, after a pause
 * that ends early when the agent's event log grows (ack-poll.ts).
 *
 * C-m is pressed again only when the screen proves the text still sits unsent in the input box
 * (a C-m swallowed as part of the paste), and at most maxExtraEnters times.
 */
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { peerContext, type PeerDeps } from './context';
import { pause, pauseMs, pollAgent, type Pace } from './ack-poll';
import {
  ackOnScreen,
  ackReceived,
  checkTurnFailure,
  pressAgainIfStuck,
  startWatch,
  timedOut,
  usageLimitResult,
} from './ack-watch';
import type { AckResult, AwaitAckInput } from './ack-judge';

export type { AckResult, AgentErrorDetails, AwaitAckInput, Receipt } from './ack-judge';
export { ackFromScreen, agentErrorOfState, isUsageLimit } from './ack-judge';

export function createAwaitAck(deps: PeerDeps) {
  return async function awaitAck(input: AwaitAckInput): Promise<AckResult> {
    const ctx = await peerContext(deps, input.peer);
    const signal = cancellationSignal();
    const w = startWatch(input, () => deps.now());
    const pollMs = input.pollMs ?? 100;
    const pace: Pace = { waitMs: 0, peerWaits: true };
    for (;;) {
      const s = await pollAgent(ctx, w, pace);
      w.polls++;
      const now = deps.now();
      const received = !!w.verdict.receipt;
      if (received) w.receivedAt ??= now;
      heartbeat({ polls: w.polls, state: s.state, extraEnters: w.extraEnters, received });

      const usageLimit = usageLimitResult(w, s, received);
      if (usageLimit) return usageLimit;
      const screenError = checkTurnFailure(ctx, w, s, received);
      const decided = received
        ? ackReceived(w, s, now, screenError !== null)
        : ackOnScreen(w, s, now, screenError !== null);
      if (decided) return decided;
      await pressAgainIfStuck(ctx, w, s, received, now);
      if (now - w.started > input.timeoutMs) return timedOut(ctx, w, s, received, screenError);
      await pause(w, pace, pauseMs(w, deps.now(), pollMs), (ms, sig) => deps.sleep(ms, sig), signal);
    }
  };
}

/**
 * Steps 5–8 as one attempt (ready, deliver, submit, ack), run again with a fresh delivery id
 * when the agent's turn failed in a way a recovery can fix, or the tmux session was lost mid-send.
 */
import type { AckResult } from '../../contracts/ack';
import type { PreflightReport } from '../../contracts/preflight';
import { awaitAck } from './ack';
import { deliver, submit } from './deliver';
import type { PeerSide } from './peer';
import { ready } from './ready';
import { afterSessionLoss } from './session';
import type { Send } from './state';
import { recoverTurn } from './turn';

/** Delivers until the agent's receipt (or the agent's records) answers; the last look and paste stay in the state. */
export async function deliverUntilAcked(send: Send, at: PeerSide, report: PreflightReport): Promise<AckResult> {
  const { state } = send;
  for (;;) {
    try {
      const screen = await ready(send, at, report);
      const pasted = await deliver(send, at);
      await submit(send, at, report, screen, pasted);
      const acked = await awaitAck(send, at, report, screen, pasted);
      if (!('agentError' in acked)) return acked;
      await recoverTurn(send, at, report, acked);
      state.staleErrorOk = true;
      state.redeliver('failedTurn');
    } catch (err) {
      const ack = await afterSessionLoss(send, at, err);
      if (ack) return ack;
      state.redeliver('lostSession');
    }
  }
}

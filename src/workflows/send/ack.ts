/**
 * Step 8, ack: the agent's receipt of exactly this text, and a turn free of API errors. A turn
 * that failed comes back as a TurnFailure (./turn.ts decides whether a recovery can fix it).
 */
import type { AckResult } from '../../contracts/ack';
import type { DeliverResult } from '../../contracts/deliver';
import type { ScreenSummary } from '../../contracts/session';
import type { PreflightReport } from '../../contracts/preflight';
import { ackDetail, turnFailedDetail } from './messages';
import type { PeerSide } from './peer';
import type { Send } from './state';
import { turnFailure, type TurnFailure } from './turn';

/** Waits for the receipt; `screen` is the look before the paste (its state 'working' means queued). */
export async function awaitAck(
  send: Send,
  at: PeerSide,
  report: PreflightReport,
  screen: ScreenSummary,
  pasted: DeliverResult,
): Promise<AckResult | TurnFailure> {
  const { peer, state } = send;
  const rec = state.begin('awaitAck');
  const ackInput = {
    peer,
    baseline: { turnsDone: screen.turnsDone, promptEchoes: screen.promptEchoes, state: screen.state },
    cursor: screen.cursor ?? null,
    receiptSha256: pasted.receiptSha256,
    queue: screen.state === 'working',
    timeoutMs: report.settings.ackTimeoutMs,
    confirmMs: report.settings.confirmMs,
    maxExtraEnters: report.settings.maxExtraEnters,
    // the ack step removes this delivery's buffers once it has decided (LEAN_HISTORY_PATCH)
    ...(state.leanHistory ? { deliveryId: state.deliveryId } : {}),
  };
  const acked = await at
    .rideOut('the wait for the receipt', () =>
      at.ackPoll.awaitAck.executeWithOptions(
        {
          summary: `wait for ${peer}'s receipt of the text`,
          startToCloseTimeout: report.settings.ackTimeoutMs + 30_000,
        },
        [ackInput],
      ),
    )
    .catch((err: unknown) => {
      const failure = turnFailure(err);
      if (failure) return failure;
      throw err;
    });
  if ('agentError' in acked) {
    state.end(rec, 'failed', turnFailedDetail(acked.agentError, acked.received));
    state.progress.turn = `failed: ${acked.agentError}`;
    return acked;
  }
  state.extraEnters = acked.extraEnters;
  state.progress.turn = acked.turn;
  state.end(rec, 'done', ackDetail(acked));
  return acked;
}

/**
 * Steps 6 and 7, deliver and submit: paste the text under this attempt's delivery id
 * (idempotent, so a retry never pastes twice), then C-m as its own step after the settle delay.
 */
import type { DeliverResult } from '../../contracts/deliver';
import type { ScreenSummary } from '../../contracts/session';
import type { PreflightReport } from '../../contracts/preflight';
import { deliverDetail, submitDetail } from './messages';
import type { PeerSide } from './peer';
import type { Send } from './state';

export async function deliver(send: Send, at: PeerSide): Promise<DeliverResult> {
  const { peer, state, path, input } = send;
  state.pastedRef = undefined;
  const rec = state.begin('deliver');
  const deliveryId = state.deliveryId;
  const d = await at.rideOut('the paste', () =>
    at.delivery.deliver.executeWithOptions({ summary: `paste ${path} into ${peer}` }, [
      { peer, deliveryId, text: input.text, path },
    ]),
  );
  state.pasted = d;
  state.delivered = { bytes: d.bytes, sha256: d.sha256 };
  state.end(rec, 'done', deliverDetail(d));
  return d;
}

/**
 * C-m after the settle delay (slept inside the activity: workflow timers are coarse, about a
 * second on a dev server, and this pause is a few hundred ms).
 */
export async function submit(
  send: Send,
  at: PeerSide,
  report: PreflightReport,
  screen: ScreenSummary,
  pasted: DeliverResult,
): Promise<void> {
  const { peer, state } = send;
  const rec = state.begin('submit');
  const settleMs = send.path === 'heavy' ? report.settings.settleMs : report.settings.settleTypedMs;
  if (screen.cursor) state.pastedRef = { cursor: screen.cursor, receiptSha256: pasted.receiptSha256 };
  // once the text is in the input box, C-m waits for the peer to come back
  const sub = await at.rideOut('C-m (the text is in the input box)', () =>
    at.quick.submit.executeWithOptions({ summary: `C-m on ${peer}` }, [
      {
        peer,
        settleMs,
        pastedAt: pasted.pastedAt,
        cursor: screen.cursor ?? null,
        receiptSha256: pasted.receiptSha256,
        pastedNow: !pasted.alreadyDelivered,
      },
    ]),
  );
  state.end(rec, 'done', submitDetail(sub, settleMs));
}

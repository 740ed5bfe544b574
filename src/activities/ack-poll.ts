/**
 * One awaitAck poll, and when the next one comes (docs/performance.md, "The ack step's latency").
 *
 * With the agent's records to read, a poll is one round trip (receipts.ts ACK_POLL): wait on the
 * peer until the hook's event log grows past the cursor or the pause ends, then the screen, then
 * the records since the cursor. The event log is where a receipt, Stop and StopFailure appear, so
 * the poll after them starts as soon as they are written instead of after a fixed sleep; the
 * screen is still read at least once per pause, as before. Without records (or where the peer
 * cannot wait: no coreutils `timeout`) a poll is the screen alone and the pause a sleep here.
 *
 * The pause is pollMs, or less when a decision falls due sooner (the confirmation window, the
 * screen-only wait, the C-m re-press, the deadline): the poll that decides comes when it is due.
 * What a poll reads and how it is judged is the same as ever (ack-watch.ts).
 */
import { randomBytes } from 'node:crypto';
import { ErrorType } from '../contracts/errors';
import type { AckWatch } from './ack-watch';
import { applyRecords } from './ack-watch';
import { fail, tryRun, type PeerContext } from './context';
import { ackPollCommand, agentPaths, parseAckPoll, recordsSince } from './receipts';
import { captureCommand, readScreen, screenOfCapture, type ScreenReading } from './screen';

/** How the polls of one awaitAck are paced. */
export interface Pace {
  /** Wait on the peer before the next poll's screen (ms; 0: read at once). */
  waitMs: number;
  /** The peer can wait for the event log (false once a wait came back early with nothing new). */
  peerWaits: boolean;
}

/** A pause shorter than this is not worth a wait. */
const MIN_PAUSE_MS = 5;

/** The agent's records are read each poll (a receipt is wanted and a cursor was taken before the paste). */
function readsRecords(w: AckWatch): boolean {
  return !!(w.wantReceipt && w.cursor && w.input.receiptSha256);
}

/** Reads the screen and (when a receipt is wanted) the records since the last poll; judges the turn. */
export async function pollAgent(ctx: PeerContext, w: AckWatch, pace: Pace): Promise<ScreenReading> {
  if (!readsRecords(w) || !w.cursor) return readScreen(ctx);
  const marker = `PEERCOMMS_${randomBytes(16).toString('hex')}`;
  const waitMs = pace.peerWaits && pace.waitMs >= MIN_PAUSE_MS ? pace.waitMs : 0;
  const argv = ackPollCommand(await agentPaths(ctx), w.cursor, secondsArg(waitMs), marker, captureCommand(ctx));
  const started = w.now();
  const res = await tryRun(ctx, 'read the screen and the agent records', argv);
  const out = parseAckPoll(res, marker);
  if (!out) throw recordsFailure(ctx, res);
  const screen = screenOfCapture(ctx, out.capture); // the screen's failures first, as when it was read alone
  if (res.code !== 0) throw recordsFailure(ctx, res);
  const before = w.cursor.events;
  applyRecords(w, recordsSince(out.records, w.cursor));
  // a wait that came back early with nothing new: this peer cannot wait, pause here instead
  if (waitMs > 0 && w.cursor.events === before && w.now() - started < waitMs / 2) pace.peerWaits = false;
  return screen;
}

function secondsArg(ms: number): string {
  return ms <= 0 ? '0' : (Math.min(ms, 999_000) / 1000).toFixed(3);
}

function recordsFailure(ctx: PeerContext, res: { code: number | null; stdout: string; stderr: string }) {
  const why = (res.stderr || res.stdout).trim().split('\n').slice(-3).join(' | ') || `exit status ${res.code}`;
  return fail(ErrorType.PeerCommandFailed, `${ctx.name}: read the agent records: \`sh -c <ack-poll>\` failed: ${why}`);
}

/** The pause before the next poll: pollMs, or until the next decision falls due if that is sooner. */
export function pauseMs(w: AckWatch, now: number, pollMs: number): number {
  const due = [w.started + w.input.timeoutMs + 1];
  if (w.receivedAt !== null) due.push(w.receivedAt + w.confirmMs);
  if (w.screenAckAt !== null) {
    const noRecords = !w.wantReceipt || !w.hasSources;
    due.push(w.screenAckAt + (noRecords ? w.confirmMs : w.receiptWaitMs));
  }
  if (w.inputSince !== null && w.extraEnters < w.input.maxExtraEnters) due.push(w.inputSince + w.reEnterAfterMs);
  const untilDue = Math.min(...due) - now;
  return Math.max(MIN_PAUSE_MS, Math.min(pollMs, untilDue));
}

/**
 * After a poll that did not decide: the pause before the next one, on the peer (inside the next
 * poll) when it can wait for the event log, else here.
 */
export async function pause(
  w: AckWatch,
  pace: Pace,
  ms: number,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  if (readsRecords(w) && pace.peerWaits) {
    pace.waitMs = ms;
    if (signal.aborted) await sleep(0, signal); // cancelled: the same AbortError as the sleep's
    return;
  }
  pace.waitMs = 0;
  await sleep(ms, signal);
}

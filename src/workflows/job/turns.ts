/**
 * The turn of the text a job sent last: from the send's result, then from the agent's own records
 * (activity readTurn) while it is open. Deterministic code only; `now` is workflow time.
 */
import type { CarriedJobState, JobTurn, JobTurnRef } from '../../contracts/job';
import type { AckSource, SendResult, TurnState } from '../../contracts/send';
import { oneLine, turnHint } from './messages';

/** What a readTurn activity reports. */
export interface TurnReading {
  turn: TurnState;
  source: AckSource | null;
  words?: string;
}

/** Turn states the job keeps reading the agent's records for. */
export function turnOpen(t: JobTurn | undefined): boolean {
  return t !== undefined && (t.state === 'working' || t.state === 'unknown' || t.state === 'queued');
}

/**
 * The turn of a text the job just sent, from the send's result, and where to read it later (no
 * ref when the peer has no agent records: no turnRef, or an ack from the screen alone). An
 * `unconfirmed` send is not a failure: the turn is unknown and the job watches for its receipt.
 */
export function turnFromSend(
  // turn and ackSource are absent from a send result recorded before they existed
  r: Pick<SendResult, 'workflowId' | 'outcome' | 'ackEvidence'> &
    Partial<Pick<SendResult, 'turn' | 'ackSource' | 'turnRef'>>,
  of: string,
  peer: string,
  now: number,
): { turn: JobTurn; ref?: JobTurnRef } {
  const unconfirmed = r.outcome === 'unconfirmed';
  const ref = r.turnRef && !(r.outcome === 'acked' && r.ackSource === 'screen') ? r.turnRef : undefined;
  const t: JobTurn = {
    sendWorkflowId: r.workflowId,
    of,
    state: unconfirmed ? 'unknown' : (r.turn ?? (r.outcome === 'queued' ? 'queued' : 'working')),
    source: r.ackSource ?? 'screen',
    at: now,
  };
  if (unconfirmed) t.hint = turnHint.unconfirmed(r.ackEvidence, peer);
  else if (!ref) t.hint = turnHint.noRecords;
  return ref ? { turn: t, ref } : { turn: t };
}

/** Takes a finished send: its outcome, and its text's turn, from now on the one the job follows. */
export function followSend(
  s: CarriedJobState,
  r: Parameters<typeof turnFromSend>[0],
  what: string,
  sendId: string,
  now: number,
): void {
  s.lastAck = { workflowId: sendId, outcome: r.outcome, at: now };
  const followed = turnFromSend(r, what, s.peer, now);
  s.turn = followed.turn;
  if (followed.ref) s.turnRef = followed.ref;
  else delete s.turnRef;
}

/** Where to read the last text's turn, while it is open (undefined when there is nothing to read). */
export function turnToRead(s: CarriedJobState): { ref: JobTurnRef; turn: JobTurn } | undefined {
  const ref = s.turnRef;
  const turn = s.turn;
  if (!ref || !turn || !turnOpen(turn)) return undefined;
  return { ref, turn };
}

/** No receipt yet: the records read so far hold none, the next read starts after them. */
export function readPast(s: CarriedJobState, ref: JobTurnRef, cursor: JobTurnRef['cursor']): void {
  if (s.turnRef === ref) s.turnRef = { ...ref, cursor };
}

/**
 * Takes a readTurn reading into the job's turn. `unknown` (no receipt found yet) never replaces
 * what is known; a failed turn (while the job is not already complete) waits for a person.
 * Returns true when the turn failed now.
 */
export function takeTurnReading(s: CarriedJobState, reading: TurnReading, now: number): boolean {
  const t = s.turn;
  if (!t || !turnOpen(t)) return false;
  if (reading.turn === 'unknown' || reading.turn === t.state) return false;
  t.state = reading.turn;
  t.source = reading.source ?? t.source;
  t.at = now;
  delete t.hint;
  if (reading.words) t.words = oneLine(reading.words);
  else delete t.words;
  if (!reading.turn.startsWith('failed:') || s.completion) return false;
  s.turnStopAt = now;
  return true;
}

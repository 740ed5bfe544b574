/**
 * Step 3, the agent's tmux session: restarted when preflight found it gone; restarted keeping
 * the conversation after an OAuth 401 (with fresh credentials); brought back when it vanished
 * mid-send, and then the agent's records tell whether the text had arrived.
 */
import type { AckResult } from '../../contracts/ack';
import { ErrorType } from '../../contracts/errors';
import type { PreflightReport } from '../../contracts/preflight';
import { failureMessage, failureType } from '../failures';
import { pushCredentials } from './credentials';
import { oauthRestarted, receivedThenSessionDied, recoveredDetail, sessionRecovered } from './messages';
import type { PeerSide } from './peer';
import type { Send } from './state';

export async function session(send: Send, at: PeerSide, report: PreflightReport): Promise<void> {
  const { peer, state } = send;
  if (report.session.alive) {
    state.skip('recoverSession', 'session alive');
    return;
  }
  const rec = state.begin('recoverSession');
  const r = await at.rideOut('session recovery', () =>
    at.recovery.recoverSession.executeWithOptions({ summary: `restart the agent's session on ${peer}` }, [{ peer }]),
  );
  state.recovered = r.method !== 'already-alive';
  state.end(rec, 'done', recoveredDetail(r.method, r.waitedMs));
}

/** After an OAuth 401: fresh credentials, then a restart that keeps the conversation. */
export async function restartAfter401(
  send: Send,
  at: PeerSide,
  report: PreflightReport,
  evidence: string,
): Promise<void> {
  const { peer, state } = send;
  state.authRestarted = true;
  state.warn(oauthRestarted(peer, evidence));
  await pushCredentials(send, at, report, 'oauth');
  const rec = state.begin('restartAgent');
  const res = await at.recovery.recoverSession.executeWithOptions(
    { summary: `restart the agent on ${peer} so it reads the fresh credentials` },
    [{ peer, restart: true, continueConversation: true }],
  );
  state.recovered = true;
  state.staleErrorOk = true;
  state.end(rec, 'done', `${res.method} restart, agent ready after ${res.waitedMs} ms`);
}

/**
 * The tmux session (or its server) vanished mid-send (`err`): bring it back. Returns the ack
 * when the agent's records show the text arrived, undefined when it is to be delivered again;
 * rethrows any other failure, and a third loss.
 */
export async function afterSessionLoss(send: Send, at: PeerSide, err: unknown): Promise<AckResult | undefined> {
  const { peer, state } = send;
  if (!at.ridesOutages || failureType(err) !== ErrorType.SessionGone || state.sessionLosses >= 2) throw err;
  state.sessionLosses++;
  state.failOpen(failureMessage(err));
  state.warn(sessionRecovered(peer, err));
  const rec = state.begin('recoverSession');
  const r = await at.rideOut('session recovery', () =>
    at.recovery.recoverSession.executeWithOptions({ summary: `bring back the agent's session on ${peer}` }, [{ peer }]),
  );
  state.recovered = true;
  state.staleErrorOk = true;
  state.end(rec, 'done', recoveredDetail(r.method, r.waitedMs));
  const ref = state.pastedRef;
  if (!ref) return undefined;
  const t = await at.rideOut('reading the receipt', () =>
    at.quick.readTurn.executeWithOptions({ summary: `did ${peer}'s agent receive the text?` }, [{ peer, ref }]),
  );
  if (t.turn === 'unknown') return undefined;
  return {
    outcome: 'unconfirmed',
    ackSource: t.source ?? 'hook',
    evidence: receivedThenSessionDied(peer, t.source ?? 'receipt'),
    turn: 'unknown',
    extraEnters: state.extraEnters,
    polls: 0,
    elapsedMs: 0,
  };
}

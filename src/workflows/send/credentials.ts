/**
 * Step 2, credentials: pushed from the controller when the token expires within the refresh
 * window (or the agent showed a 401). The token never travels through Temporal, so a peer
 * reached only through its worker cannot be pushed to.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { ErrorType } from '../../contracts/errors';
import type { PreflightReport } from '../../contracts/preflight';
import { cannotPushCredentials, tokenWarning } from './messages';
import { credentials as controllerCredentials } from './options';
import type { PeerSide } from './peer';
import type { Send } from './state';

export async function credentials(send: Send, at: PeerSide, report: PreflightReport): Promise<void> {
  if (report.credentials.refreshDue) {
    await pushCredentials(send, at, report, 'expires within the refresh window');
  } else {
    send.state.skip('refreshCredentials', 'token valid beyond the refresh window');
  }
}

/** Pushes fresh credentials; `why` is 'oauth' after a 401 (then a peer that cannot be pushed to fails the send). */
export async function pushCredentials(send: Send, at: PeerSide, report: PreflightReport, why: string): Promise<void> {
  const { peer, state } = send;
  const rec = state.begin('refreshCredentials');
  if (at.route.credentialPush === 'unavailable') {
    const expired = report.credentials.expiresAt === null || report.credentials.expiresAt <= Date.now();
    const message = cannotPushCredentials(peer);
    if (expired || why === 'oauth')
      throw ApplicationFailure.nonRetryable(message, ErrorType.CredentialsPushUnavailable);
    state.warn(tokenWarning(peer, why, message));
    state.end(rec, 'skipped', 'no way to push: a worker peer without SSH settings');
    return;
  }
  const r = await controllerCredentials.refreshCredentials.executeWithOptions(
    { summary: `push credentials to ${peer}` },
    [{ peer }],
  );
  state.credentialsAction = r.action;
  state.end(rec, 'done', `${r.action}: ${r.reason}`);
}

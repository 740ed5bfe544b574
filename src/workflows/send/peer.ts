/**
 * Where the peer's steps run (the controller, or the peer worker's own queue), their activity
 * stubs, and riding out a peer outage: peers reboot and links drop for minutes, so a step that
 * finds the peer unreachable is tried again on durable timers, with the wait shown, for the
 * outage window.
 */
import { ApplicationFailure, sleep } from '@temporalio/workflow';
import { ErrorType } from '../../contracts/errors';
import type { PeerRoute } from '../../contracts/route';
import { QUICK } from '../activity-options';
import { failureType } from '../failures';
import { onPeer, resolveRoute } from '../routing';
import { cameBack, stayedUnreachable, waitingForPeer } from './messages';
import { ACK_POLL, DELIVERY, RECOVERY } from './options';
import type { Send } from './state';

type PeerStubs = ReturnType<typeof onPeer>;

export interface PeerSide {
  readonly route: PeerRoute;
  readonly quick: PeerStubs;
  readonly recovery: PeerStubs;
  readonly delivery: PeerStubs;
  readonly ackPoll: PeerStubs;
  /** A route recorded before outage windows existed has none: such a run rides nothing out. */
  readonly ridesOutages: boolean;
  /** Runs `call`, again and again while the peer is unreachable, for the outage window. */
  rideOut<T>(what: string, call: () => Promise<T>): Promise<T>;
}

export async function reachPeer(send: Send): Promise<PeerSide> {
  const route = await resolveRoute(send.peer, send.state.lean);
  send.state.route = route;
  if (route.taskQueue) send.state.progress.route = route.taskQueue;
  return {
    route,
    quick: onPeer(route, QUICK),
    recovery: onPeer(route, RECOVERY),
    delivery: onPeer(route, DELIVERY),
    ackPoll: onPeer(route, ACK_POLL),
    ridesOutages: route.outageWindowMs !== undefined,
    rideOut: (what, call) => rideOut(send, route, what, call),
  };
}

async function rideOut<T>(send: Send, route: PeerRoute, what: string, call: () => Promise<T>): Promise<T> {
  const { peer, state } = send;
  const outageMs = route.outageWindowMs ?? 0;
  let attempt = 0;
  let since: number | undefined;
  for (;;) {
    try {
      const r = await call();
      if (attempt > 0) {
        state.waitFor(undefined);
        state.warn(cameBack(peer, Date.now() - (since ?? Date.now()), what));
      }
      return r;
    } catch (err) {
      if (route.outageWindowMs === undefined || failureType(err) !== ErrorType.PeerUnreachable) throw err;
      since ??= Date.now();
      const waited = Date.now() - since;
      if (waited >= outageMs) {
        throw ApplicationFailure.nonRetryable(
          stayedUnreachable(peer, waited, outageMs, what, err),
          ErrorType.PeerUnreachable,
        );
      }
      attempt++;
      const pause = Math.min(30_000, 2000 * 2 ** Math.min(attempt - 1, 4), Math.max(1000, outageMs - waited));
      state.waitFor(waitingForPeer(peer, what, err, attempt, pause, waited, outageMs));
      await sleep(pause, { summary: `${peer} unreachable during ${what}: try again (attempt ${attempt + 1})` });
    }
  }
}

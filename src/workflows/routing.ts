/**
 * Routing a workflow's peer activities: to the controller's queue (SSH or local peers), or to
 * the peer worker's queue `<controller queue>@<peer>` with a pickup deadline (via: worker).
 * While a routed activity waits for a worker, `watchPickup` says so in the workflow's progress.
 */
import {
  TimeoutFailure,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  type ActivityInterfaceFor,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { ControllerActivities, PeerActivities } from '../activities';
import { ErrorType } from '../contracts/errors';
import { controllerRoute, type PeerRoute } from '../contracts/route';
import { causeChain } from '../contracts/failure-chain';

const routing = proxyLocalActivities<ControllerActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 ms', maximumAttempts: 3 },
});

/** Controller-side look at a task queue's pollers. */
const looking = proxyActivities<ControllerActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
});

/**
 * The route of a peer, from the controller's peers file (runs recorded before routing: the
 * controller). `routed`: the caller knows the run is newer than routing (a later patch said so),
 * so the 'peer-route' patch marker is not recorded again.
 */
export async function resolveRoute(peer: string, routed = false): Promise<PeerRoute> {
  if (!routed && !patched('peer-route')) return controllerRoute(peer);
  return routing.routePeer({ peer });
}

/**
 * Activity stubs for `options` that run where the peer's activities run. Only peer activities:
 * a controller activity through these stubs is a type error, as the peer worker has none.
 */
export function onPeer(route: PeerRoute, options: ActivityOptions): ActivityInterfaceFor<PeerActivities> {
  if (!route.taskQueue) return proxyActivities<PeerActivities>(options);
  return proxyActivities<PeerActivities>({
    ...options,
    taskQueue: route.taskQueue,
    scheduleToStartTimeout: route.pickupTimeoutMs ?? 30 * 60_000,
  });
}

function minutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * Awaits `work` (an activity on the peer's queue). When it has not finished after a few
 * seconds, asks the server who polls the queue and reports it through `show` (undefined when
 * the wait is over), every 10 s until the work is done.
 */
export async function watchPickup<T>(
  route: PeerRoute,
  work: Promise<T>,
  show: (waiting: string | undefined) => void,
): Promise<T> {
  const queue = route.taskQueue;
  if (!queue) return work;
  let settled = false;
  work.then(
    () => (settled = true),
    () => (settled = true),
  );
  let pause = 3000;
  while (!(await condition(() => settled, pause))) {
    pause = 10_000;
    try {
      const { pollers } = await looking.queuePollers.executeWithOptions({ summary: `who polls ${queue}` }, [
        { taskQueue: queue },
      ]);
      if (settled) break;
      const first = pollers[0];
      show(
        first
          ? `waiting for the worker on ${queue} to pick up the work (last poll by ${first.identity}${first.lastAccessAt ? ` ${Math.max(0, Math.round((Date.now() - first.lastAccessAt) / 1000))} s ago` : ''}; it may have stopped)`
          : `no worker polling ${queue}: start it on ${route.peer} (peer-comms worker --peer ${route.peer}); the send goes on when it polls, or fails after ${minutes(route.pickupTimeoutMs ?? 0)}`,
      );
    } catch {
      // Not knowing who polls is no reason to fail the send: the pickup deadline still holds.
    }
  }
  show(undefined);
  return work;
}

/** A schedule-to-start timeout on the peer's queue, as a failure a person can act on (else undefined). */
export function pickupFailure(route: PeerRoute, err: unknown): ApplicationFailure | undefined {
  const timedOut = causeChain(err, 5).some((e) => e instanceof TimeoutFailure && e.timeoutType === 'SCHEDULE_TO_START');
  if (!timedOut) return undefined;
  return ApplicationFailure.nonRetryable(
    `${route.peer}: no worker picked up the work on ${route.taskQueue ?? 'the peer queue'} within ${minutes(route.pickupTimeoutMs ?? 0)}; start the peer worker on ${route.peer} (peer-comms worker --peer ${route.peer}) and send again`,
    ErrorType.NoPeerWorker,
  );
}

/**
 * readPeer: one read-only look at a peer (its pane, its inbox or its recent commits), run where
 * the peer's activities run. The CLI uses it for `via: worker` peers, whose commands only their
 * own worker can run; SSH and local peers are read by the CLI directly, without Temporal.
 */
import { ApplicationFailure, type ActivityOptions } from '@temporalio/workflow';
import { ErrorType } from '../contracts/errors';
import {
  LOG_MAX_COUNT,
  PEEK_MAX_LINES,
  READ_WHATS,
  type ReadPeerInput,
  type ReadPeerResult,
} from '../contracts/read-peer';
import { isPeerName, type PeerRoute } from '../contracts/route';
import { onPeer, pickupFailure, resolveRoute } from './routing';

/** A person waits at the CLI: one quick try and one retry for a flaky moment, then the reason. */
const READ: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
};

/** A look is worth a short wait for the peer worker, not the half hour a send may wait. */
export const READ_PICKUP_MS = 30_000;

function validate(input: ReadPeerInput): void {
  if (!input || !isPeerName(input.peer)) {
    throw ApplicationFailure.nonRetryable(`bad peer name: ${JSON.stringify(input?.peer)}`, ErrorType.InvalidInput);
  }
  if (!READ_WHATS.includes(input.what)) {
    throw ApplicationFailure.nonRetryable(
      `what: expected ${READ_WHATS.join(', ')}, got ${JSON.stringify(input.what)}`,
      ErrorType.InvalidInput,
    );
  }
  const bounded = (name: string, v: number | undefined, max: number) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= max)) {
      throw ApplicationFailure.nonRetryable(`${name}: expected 1..${max}, got ${String(v)}`, ErrorType.InvalidInput);
    }
  };
  bounded('lines', input.lines, PEEK_MAX_LINES);
  bounded('count', input.count, LOG_MAX_COUNT);
}

export async function readPeer(input: ReadPeerInput): Promise<ReadPeerResult> {
  validate(input);
  const found = await resolveRoute(input.peer);
  const route: PeerRoute = found.taskQueue
    ? { ...found, pickupTimeoutMs: Math.min(found.pickupTimeoutMs ?? READ_PICKUP_MS, READ_PICKUP_MS) }
    : found;
  const acts = onPeer(route, READ);
  const taskQueue = route.taskQueue;
  const { peer } = input;
  try {
    switch (input.what) {
      case 'peek':
        return {
          what: 'peek',
          taskQueue,
          peek: await acts.peekPane.executeWithOptions({ summary: `peek at ${peer}` }, [{ peer, lines: input.lines }]),
        };
      case 'inbox':
        return {
          what: 'inbox',
          taskQueue,
          inbox: await acts.listInbox.executeWithOptions({ summary: `list ${peer}'s inbox` }, [{ peer }]),
        };
      case 'log':
        return {
          what: 'log',
          taskQueue,
          log: await acts.recentCommits.executeWithOptions({ summary: `recent commits on ${peer}` }, [
            { peer, count: input.count },
          ]),
        };
    }
  } catch (err) {
    if (pickupFailure(route, err)) {
      throw ApplicationFailure.nonRetryable(
        `${peer}: no peer worker picked up the ${input.what} on ${taskQueue ?? 'the peer queue'} within ${Math.round((route.pickupTimeoutMs ?? READ_PICKUP_MS) / 1000)} s; start it on ${peer} (peer-comms worker --peer ${peer}) and try again`,
        ErrorType.NoPeerWorker,
      );
    }
    throw err;
  }
}

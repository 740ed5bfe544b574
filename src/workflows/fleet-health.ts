/**
 * fleetHealth: one look at every peer, side by side: preflight each (where its activities run),
 * push credentials that expire within the refresh window, and report dead sessions, GPU drift and
 * heat, disk pressure and load. Started every 30 min by the Temporal Schedule
 * `peer-comms-fleet-health` (`peer-comms fleet schedule`) or by hand (`peer-comms fleet check`).
 * A peer that cannot be reached, or whose push fails, is one row of the report: it never fails
 * the check, and holds the others up no longer than its own bounded retries.
 * Query `report`: the peers checked so far. Deterministic code only.
 */
import {
  ApplicationFailure,
  proxyActivities,
  setHandler,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ErrorType } from '../contracts/errors';
import {
  countFleet,
  type FleetHealthInput,
  type FleetPeerCredentials,
  type FleetPeerEntry,
  type FleetPeerReport,
  type FleetReport,
} from '../contracts/fleet';
import type { PreflightReport } from '../contracts/preflight';
import { isPeerName, type PeerRoute } from '../contracts/route';
import { CREDENTIALS } from './activity-options';
import { failureMessage, failureType } from './failures';
import { onPeer, pickupFailure, resolveRoute } from './routing';

import { reportQuery } from './definitions';

export { reportQuery };

/**
 * Fleet preflight: one round trip; two tries, not a send's four, so an unreachable peer costs
 * seconds rather than minutes. Nothing waits on it: the next scheduled run looks again.
 */
const LOOK: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 2 },
};

/** How long a peer worker may take to pick up its preflight: shorter than a send's, the check must end before the next run. */
const PICKUP_MS = 2 * 60_000;

/** Credentials: as in a send. Always on the controller. */
const credentials = proxyActivities<Activities>(CREDENTIALS);

/** The peer list: a read of the controller's peers file; a few quick tries. */
const controller = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

function validate(input: FleetHealthInput | undefined): void {
  const peers = input?.peers;
  if (peers === undefined) return;
  if (!Array.isArray(peers) || peers.length === 0) {
    throw ApplicationFailure.nonRetryable(
      'peers: give a non-empty list of peer names, or leave it out to check every peer',
      ErrorType.InvalidInput,
    );
  }
  const bad = peers.filter((p) => !isPeerName(p));
  if (bad.length > 0) {
    throw ApplicationFailure.nonRetryable(`bad peer name(s): ${JSON.stringify(bad)}`, ErrorType.InvalidInput);
  }
}

export async function fleetHealth(input: FleetHealthInput = {}): Promise<FleetReport> {
  const report: FleetReport = {
    workflowId: workflowInfo().workflowId,
    startedAt: Date.now(),
    finishedAt: null,
    peers: [],
    pending: [],
    counts: countFleet([]),
  };
  setHandler(reportQuery, () => report);
  validate(input);

  const configured = await controller.listPeers.executeWithOptions({ summary: 'list the configured peers' }, []);
  const entries = new Map(configured.map((e) => [e.peer, e]));
  const names = [...new Set(input?.peers ?? configured.map((e) => e.peer))];
  report.pending = [...names];

  const done = new Map<string, FleetPeerReport>();
  await Promise.all(
    names.map(async (peer) => {
      done.set(peer, await checkPeer(peer, entries.get(peer)));
      report.peers = names.flatMap((p) => done.get(p) ?? []);
      report.pending = names.filter((p) => !done.has(p));
      report.counts = countFleet(report.peers);
    }),
  );
  report.finishedAt = Date.now();
  return report;
}

/** One peer's row; never throws (a failure becomes the row's error). */
async function checkPeer(peer: string, entry: FleetPeerEntry | undefined): Promise<FleetPeerReport> {
  const started = Date.now();
  const row: FleetPeerReport = { peer, via: null, ok: false, warnings: [], checkedAt: started, elapsedMs: 0 };
  const finish = (): FleetPeerReport => {
    row.checkedAt = Date.now();
    row.elapsedMs = row.checkedAt - started;
    return row;
  };
  if (!entry) {
    row.error = {
      type: ErrorType.InvalidConfig,
      message: `unknown peer "${peer}": it is not in the controller's peers file`,
    };
    return finish();
  }

  let route: PeerRoute | undefined;
  let pre: PreflightReport;
  try {
    const r = await resolveRoute(peer);
    route = { ...r, pickupTimeoutMs: Math.min(r.pickupTimeoutMs ?? PICKUP_MS, PICKUP_MS) };
    row.via = route.via;
    if (route.taskQueue) row.taskQueue = route.taskQueue;
    pre = await onPeer(route, LOOK).preflight.executeWithOptions({ summary: `fleet: preflight ${peer}` }, [{ peer }]);
  } catch (err) {
    row.error = describeFailure((route && pickupFailure(route, err)) ?? err);
    return finish();
  }

  row.ok = true;
  row.hostname = pre.hostname;
  row.session = { ...pre.session };
  row.gpus = {
    count: pre.gpus === null ? null : pre.gpus.length,
    hot: pre.gpuCheck.hot,
    drift: pre.gpuCheck.drift,
    ...(pre.gpuProblem ? { problem: pre.gpuProblem } : {}),
  };
  row.disk = pre.disk
    ? {
        usePercent: pre.disk.usePercent,
        limitPercent: entry.diskPercent,
        pressure: pre.disk.usePercent >= entry.diskPercent,
      }
    : null;
  row.loadAverage = pre.loadAverage;
  row.warnings.push(...pre.warnings);
  if (pre.session.tmuxMissing) row.warnings.push(`${peer}: tmux is not installed on the peer`);
  row.credentials = await credentialsFor(peer, route, pre);
  return finish();
}

/** Pushes the controller's credentials when the peer's expire within the window; reports what was done. */
async function credentialsFor(peer: string, route: PeerRoute, pre: PreflightReport): Promise<FleetPeerCredentials> {
  const c = pre.credentials;
  const base = {
    expiresAt: c.expiresAt,
    expiresAtBefore: c.expiresAt,
    refreshDue: c.refreshDue,
    ...(c.problem ? { problem: c.problem } : {}),
  };
  if (!c.refreshDue) return { ...base, action: 'skipped', reason: 'valid beyond the refresh window' };
  if (route.credentialPush === 'unavailable') {
    return {
      ...base,
      action: 'unavailable',
      reason: `${peer} is reached through its peer worker and has no SSH settings, so the controller cannot push credentials (its token never travels through Temporal): add host, user and privateKey to push over SSH, or log in on the peer (claude /login)`,
    };
  }
  try {
    const r = await credentials.refreshCredentials.executeWithOptions(
      { summary: `fleet: push credentials to ${peer}` },
      [{ peer }],
    );
    return { ...base, expiresAt: r.peerExpiresAtAfter, action: r.action, reason: r.reason };
  } catch (err) {
    const f = describeFailure(err);
    return { ...base, action: 'failed', reason: `${f.type}: ${f.message}` };
  }
}

function describeFailure(err: unknown): { type: string; message: string } {
  return { type: failureType(err), message: failureMessage(err) };
}

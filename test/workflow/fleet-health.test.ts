/**
 * fleetHealth on a real Temporal dev server with mocked activities: every peer gets a row
 * whatever happens to the others (unreachable, failed push, unknown name), credentials are
 * pushed only where due, worker peers are looked at on their own queue.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { ErrorType } from '../../src/contracts/errors';
import type { FleetHealthInput, FleetPeerReport, FleetReport } from '../../src/contracts/fleet';
import { peerTaskQueue } from '../../src/contracts/route';
import { reportQuery } from '../../src/workflows/definitions';
import { fleetHealth } from '../../src/workflows/fleet-health';
import { devEnvPerFile, uniqueQueue, workflowBundle, workflowFailure } from '../helpers/temporal';
import { mockActivities, preflightReport, type MockActivities } from './mock-activities';

const theEnv = devEnvPerFile();

interface Fleet {
  taskQueue: string;
  mock: MockActivities;
  /** Runs one fleetHealth while a worker serves the controller queue (and each extra queue); returns its report and the query's. */
  check(input?: FleetHealthInput): Promise<{ report: FleetReport; queried: FleetReport }>;
}

/** A per-test fleet: `peers` in the peers file (disk limit 90 %), mocked activities, fresh workers. */
function fleet(peers: string[], overrides: Partial<Activities>, extraQueues: string[] = []): Fleet {
  const e = theEnv();
  const taskQueue = uniqueQueue('fleet');
  const mock = mockActivities({
    client: e.client,
    taskQueue,
    overrides: { listPeers: async () => peers.map((peer) => ({ peer, diskPercent: 90 })), ...overrides },
  });
  return {
    taskQueue,
    mock,
    check: async (input) => {
      const bundle = await workflowBundle();
      const workers = await Promise.all(
        [taskQueue, ...extraQueues.map((p) => peerTaskQueue(taskQueue, p))].map((q) =>
          Worker.create({
            connection: e.nativeConnection,
            taskQueue: q,
            workflowBundle: bundle,
            activities: mock.activities,
          }),
        ),
      );
      const run = async () => {
        const handle = await e.client.workflow.start(fleetHealth, {
          taskQueue,
          workflowId: uniqueQueue('fleet-health'),
          args: input ? [input] : [],
        });
        const report = await handle.result();
        return { report, queried: await handle.query(reportQuery) };
      };
      return workers.reduce<() => Promise<{ report: FleetReport; queried: FleetReport }>>(
        (inner, w) => () => w.runUntil(inner()),
        run,
      )();
    },
  };
}

/** The peer names an activity was called for, in call order. */
function calledFor(mock: MockActivities, name: keyof Activities): string[] {
  return mock.calls
    .filter((c) => c.name === name && c.phase === 'start')
    .map((c) => (c.input as { peer: string }).peer);
}

function row(report: FleetReport, peer: string): FleetPeerReport {
  const r = report.peers.find((p) => p.peer === peer);
  assert.ok(r, `no row for ${peer} in ${JSON.stringify(report.peers.map((p) => p.peer))}`);
  return r;
}

const unreachable = () =>
  ApplicationFailure.create({
    type: ErrorType.PeerUnreachable,
    message: 'preflight: down: connect ECONNREFUSED 127.0.0.1:1 — is the peer up and its sshd listening?',
  });

describe('fleetHealth', () => {
  test('three peers, one unreachable: the report covers all three; only the near-expiry peer gets credentials', async () => {
    const f = fleet(['fine', 'down', 'due'], {
      preflight: async ({ peer }) => {
        if (peer === 'down') throw unreachable();
        return preflightReport(peer, {
          credentials:
            peer === 'due' ? { expiresAt: Date.now() + 30 * 60_000, refreshDue: true } : { refreshDue: false },
        });
      },
    });
    const { report, queried } = await f.check();

    assert.deepEqual(
      report.peers.map((p) => p.peer),
      ['fine', 'down', 'due'],
    );
    assert.deepEqual(report.pending, []);
    assert.ok(report.finishedAt !== null && report.finishedAt >= report.startedAt);
    const down = row(report, 'down');
    assert.equal(down.ok, false);
    assert.equal(down.error?.type, ErrorType.PeerUnreachable);
    assert.match(down.error?.message ?? '', /127\.0\.0\.1:1/);
    assert.equal(down.credentials, undefined);
    // bounded: the fleet's preflight gives an unreachable peer two tries, not a send's four
    assert.equal(calledFor(f.mock, 'preflight').filter((p) => p === 'down').length, 2);

    assert.deepEqual(calledFor(f.mock, 'refreshCredentials'), ['due']);
    const due = row(report, 'due');
    assert.equal(due.ok, true);
    assert.equal(due.credentials?.action, 'pushed');
    assert.equal(due.credentials?.refreshDue, true);
    assert.ok((due.credentials?.expiresAt ?? 0) > (due.credentials?.expiresAtBefore ?? Infinity));
    const fine = row(report, 'fine');
    assert.equal(fine.credentials?.action, 'skipped');
    assert.equal(fine.via, 'ssh');
    assert.equal(fine.hostname, 'fine.test');
    assert.equal(fine.session?.alive, true);
    // the reachable peers were done while the unreachable one still waited for its retry
    assert.ok(fine.checkedAt <= down.checkedAt && due.checkedAt <= down.checkedAt);

    assert.deepEqual(
      { ...report.counts },
      {
        peers: 3,
        reachable: 2,
        unreachable: 1,
        deadSessions: 0,
        credentialsPushed: 1,
        credentialsFailed: 0,
        credentialsUnavailable: 0,
        gpuDrift: 0,
        gpuHot: 0,
        diskPressure: 0,
      },
    );
    assert.deepEqual(queried, report);
  });

  test('dead sessions, GPU drift and heat, disk pressure are reported; a failed push is a row, not a failed check', async () => {
    const f = fleet(['sick', 'nopush'], {
      preflight: async ({ peer }) => {
        if (peer === 'nopush') {
          return preflightReport(peer, { credentials: { expiresAt: Date.now() + 10 * 60_000, refreshDue: true } });
        }
        return {
          ...preflightReport(peer, {
            session: { alive: false },
            gpus: [{ index: 0, temperatureC: 91, powerDrawW: 300, powerLimitW: 450, memoryUsedMiB: 100 }],
            gpuCheck: {
              hot: [{ index: 0, temperatureC: 91, abortTempC: 90 }],
              drift: [{ index: 0, powerLimitW: 450, expectedW: 350 }],
            },
            warnings: ['disk / is 95% full (limit 90%)'],
          }),
          disk: { usePercent: 95, sizeKiB: 1_000_000, availKiB: 50_000 },
        };
      },
      refreshCredentials: async ({ peer }) => {
        throw ApplicationFailure.create({
          type: ErrorType.ControllerCredentials,
          message: `${peer}: the controller's own token expires in 1h: refresh it on the controller (claude /login)`,
          nonRetryable: true,
        });
      },
    });
    const { report } = await f.check();

    const sick = row(report, 'sick');
    assert.equal(sick.ok, true);
    assert.equal(sick.session?.alive, false);
    assert.deepEqual(sick.gpus, {
      count: 1,
      hot: [{ index: 0, temperatureC: 91, abortTempC: 90 }],
      drift: [{ index: 0, powerLimitW: 450, expectedW: 350 }],
    });
    assert.deepEqual(sick.disk, { usePercent: 95, limitPercent: 90, pressure: true });
    assert.deepEqual(sick.warnings, ['disk / is 95% full (limit 90%)']);

    const nopush = row(report, 'nopush');
    assert.equal(nopush.ok, true);
    assert.equal(nopush.credentials?.action, 'failed');
    assert.match(nopush.credentials?.reason ?? '', /^ControllerCredentials: .*claude \/login/);
    assert.equal(calledFor(f.mock, 'refreshCredentials').length, 1, 'a non-retryable failure is not retried');
    assert.equal(
      calledFor(f.mock, 'recoverSession').length,
      0,
      'fleet health reports dead sessions, it does not restart them',
    );

    assert.equal(report.counts.deadSessions, 1);
    assert.equal(report.counts.gpuDrift, 1);
    assert.equal(report.counts.gpuHot, 1);
    assert.equal(report.counts.diskPressure, 1);
    assert.equal(report.counts.credentialsFailed, 1);
    assert.equal(report.counts.unreachable, 0);
  });

  test('a worker peer is looked at on its own queue; without SSH settings its credentials are "unavailable"', async () => {
    const queues: string[] = [];
    let tq = '';
    const f = fleet(
      ['gpu1'],
      {
        routePeer: async ({ peer }) => ({
          peer,
          via: 'worker',
          taskQueue: peerTaskQueue(tq, peer),
          pickupTimeoutMs: 30 * 60_000,
          credentialPush: 'unavailable',
        }),
        preflight: async ({ peer }) => {
          queues.push(Context.current().info.taskQueue);
          return preflightReport(peer, { credentials: { expiresAt: Date.now() + 60_000, refreshDue: true } });
        },
      },
      ['gpu1'],
    );
    tq = f.taskQueue;
    const { report } = await f.check();
    assert.deepEqual(queues, [peerTaskQueue(f.taskQueue, 'gpu1')]);
    const gpu1 = row(report, 'gpu1');
    assert.equal(gpu1.via, 'worker');
    assert.equal(gpu1.taskQueue, peerTaskQueue(f.taskQueue, 'gpu1'));
    assert.equal(gpu1.credentials?.action, 'unavailable');
    assert.match(gpu1.credentials?.reason ?? '', /no SSH settings/);
    assert.deepEqual(calledFor(f.mock, 'refreshCredentials'), []);
    assert.equal(report.counts.credentialsUnavailable, 1);
  });

  test('input.peers: only those peers; a name not in the peers file is a row with InvalidConfig', async () => {
    const f = fleet(['a', 'b', 'c'], {});
    const { report } = await f.check({ peers: ['c', 'ghost', 'a', 'c'] });
    assert.deepEqual(
      report.peers.map((p) => p.peer),
      ['c', 'ghost', 'a'],
    );
    assert.equal(row(report, 'ghost').error?.type, ErrorType.InvalidConfig);
    assert.deepEqual(calledFor(f.mock, 'preflight').sort(), ['a', 'c']);
  });

  test('bad input fails at once, non-retryable, with InvalidInput', async () => {
    const f = fleet(['a'], {});
    const failure = await workflowFailure(f.check({ peers: ['ok', '../etc'] }));
    assert.equal(failure.type, ErrorType.InvalidInput);
    assert.deepEqual(calledFor(f.mock, 'preflight'), []);
  });
});

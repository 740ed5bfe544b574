/**
 * Fleet health end to end: real dev server, real controller worker, real sshd and tmux, stand-in
 * agents; the CLI (`peer-comms fleet check|schedule|status`) in its own process. Three peers:
 * one fine, one whose credentials expire within the refresh window, one unreachable (port 1).
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ScheduleNotFoundError } from '@temporalio/client';
import { ErrorType } from '../../src/contracts/errors';
import { fleetScheduleId, type FleetPeerReport, type FleetReport } from '../../src/contracts/fleet';
import { expiresAtOf } from '../../src/activities/credentials';
import type { fleetHealth } from '../../src/workflows/fleet-health';
import { stackPerFile } from '../helpers/cli';
import { addAgent, makeConfig, withWorker } from '../helpers/stack';
import { recordHistory, uniqueQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const { stack, cli } = stackPerFile();

function row(report: FleetReport, peer: string): FleetPeerReport {
  const r = report.peers.find((p) => p.peer === peer);
  assert.ok(r, `no row for ${peer} in ${JSON.stringify(report.peers.map((p) => p.peer))}`);
  return r;
}

describe('fleet health', () => {
  it('three peers, one unreachable: the report covers all three and the near-expiry peer gets the controller’s credentials; scheduled, triggered, shown by status', async () => {
    const fine = await addAgent(stack());
    const due = await addAgent(stack(), {}, { peerExpiresAt: Date.now() + 30 * 60_000 });
    const down = await addAgent(stack(), {}, { start: false, entry: { port: 1 } });
    const tq = uniqueQueue('fleet');
    const config = makeConfig(stack(), [fine, due, down], {}, tq);
    const cfg = join(stack().dir, `${tq}.yaml`);
    // JSON is YAML: the CLI reads it like a hand-written peers.yaml
    await writeFile(cfg, JSON.stringify(config));
    const scheduleId = fleetScheduleId(tq);
    const schedule = stack().env.client.schedule.getHandle(scheduleId);
    const controllerExpiresAt = expiresAtOf(await readFile(stack().controllerCredentials));

    try {
      await withWorker(
        stack(),
        config,
        async () => {
          // no report yet: say how to get one
          const none = await cli(['--config', cfg, 'fleet', 'status']);
          assert.equal(none.code, 1, none.stdout);
          assert.match(none.stderr, /no fleet health report yet/);
          assert.match(none.stderr, /peer-comms fleet check/);

          // one check now: every peer has a row, whatever the others do
          const check = await cli(['--config', cfg, 'fleet', 'check', '--json']);
          assert.equal(check.code, 1, `exit 1: a peer is unreachable\n${check.stderr}`);
          const out = JSON.parse(check.stdout) as { ok: boolean; workflowId: string; report: FleetReport };
          assert.equal(out.ok, false);
          assert.match(out.workflowId, /^fleet-health-\d{8}-\d{6}-[0-9a-f]{4}$/);
          const report = out.report;
          assert.deepEqual(
            report.peers.map((p) => p.peer),
            [fine.name, due.name, down.name],
          );
          assert.equal(report.counts.reachable, 2);
          assert.equal(report.counts.unreachable, 1);
          assert.equal(report.counts.credentialsPushed, 1);

          const dueRow = row(report, due.name);
          assert.equal(dueRow.ok, true);
          assert.equal(dueRow.credentials?.action, 'pushed', dueRow.credentials?.reason);
          assert.equal(dueRow.credentials?.expiresAt, controllerExpiresAt);
          assert.deepEqual(await readFile(due.credentialsPath), await readFile(stack().controllerCredentials));

          const fineRow = row(report, fine.name);
          assert.equal(fineRow.ok, true);
          assert.equal(fineRow.via, 'ssh');
          assert.equal(fineRow.session?.alive, true);
          assert.equal(fineRow.credentials?.action, 'skipped');
          assert.ok(fineRow.hostname, 'hostname reported');
          assert.equal(typeof fineRow.disk?.usePercent, 'number');
          assert.notDeepEqual(await readFile(fine.credentialsPath), await readFile(stack().controllerCredentials));

          const downRow = row(report, down.name);
          assert.equal(downRow.ok, false);
          assert.equal(downRow.error?.type, ErrorType.PeerUnreachable);
          assert.ok(
            downRow.error?.message.includes(down.name) && downRow.error.message.includes('127.0.0.1:1'),
            downRow.error?.message,
          );
          // the token travels from the controller's file to the peer's, never through Temporal
          await recordHistory(stack().env, out.workflowId, 'fleet-health-one-unreachable');
          const history = JSON.stringify(await stack().env.client.workflow.getHandle(out.workflowId).fetchHistory());
          assert.ok(!history.includes('sk-ant-'), 'token text found in the fleet check history');

          // the schedule: bad flags are refused before anything connects; then created, then updated
          const tooOften = await cli(['--config', cfg, 'fleet', 'schedule', '--every', '10s']);
          assert.equal(tooOften.code, 2, tooOften.stderr);
          assert.match(tooOften.stderr, /--every: at least 1m/);
          const twoThings = await cli(['--config', cfg, 'fleet', 'schedule', '--pause', '--delete']);
          assert.equal(twoThings.code, 2, twoThings.stderr);
          const created = await cli(['--config', cfg, 'fleet', 'schedule', '--every', '30m']);
          assert.equal(created.code, 0, created.stderr);
          assert.match(created.stdout, new RegExp(`^created schedule ${scheduleId}: fleetHealth every 30m`, 'm'));
          let d = await schedule.describe();
          assert.equal(d.spec.intervals?.[0]?.every, 30 * 60_000);
          assert.equal(d.action.type, 'startWorkflow');
          assert.equal(d.action.workflowType, 'fleetHealth');
          assert.equal(d.action.taskQueue, tq);
          assert.equal(d.policies.overlap, 'SKIP');
          const updated = await cli(['--config', cfg, 'fleet', 'schedule', '--every', '45m']);
          assert.equal(updated.code, 0, updated.stderr);
          assert.match(updated.stdout, /^updated schedule .* every 45m/m);
          d = await schedule.describe();
          assert.equal(d.spec.intervals?.[0]?.every, 45 * 60_000);

          // one scheduled run, now
          await schedule.trigger();
          const action = await waitFor(async () => (await schedule.describe()).info.recentActions[0], {
            timeoutMs: 20_000,
            what: 'the triggered schedule action',
          });
          const { workflowId, firstExecutionRunId } = action.action.workflow;
          assert.ok(workflowId.startsWith(scheduleId), workflowId);
          const scheduled = await stack()
            .env.client.workflow.getHandle<typeof fleetHealth>(workflowId, firstExecutionRunId)
            .result();
          assert.equal(scheduled.peers.length, 3);
          assert.equal(row(scheduled, due.name).credentials?.action, 'skipped', 'pushed once, fresh since');

          // status: the newest report (the scheduled one) as a table
          const status = await cli(['--config', cfg, 'fleet', 'status']);
          assert.equal(status.code, 0, status.stderr);
          assert.match(status.stdout, new RegExp(`^last fleet report ${workflowId}`, 'm'));
          assert.match(status.stdout, /every 45m/);
          assert.match(status.stdout, /^PEER\s+VIA\s+REACHABLE\s+SESSION\s+TOKEN\s+GPUS\s+DISK\s+LOAD\s+WARNINGS$/m);
          assert.match(status.stdout, new RegExp(`^${fine.name}\\s+ssh\\s+yes\\s+alive\\s+`, 'm'));
          assert.match(status.stdout, new RegExp(`^${due.name}\\s+ssh\\s+yes\\s+alive\\s+`, 'm'));
          assert.match(status.stdout, new RegExp(`^${down.name}\\s+ssh\\s+NO\\s+-`, 'm'));
          assert.match(
            status.stdout,
            new RegExp(`${down.name}: unreachable \\[PeerUnreachable\\]: .*127\\.0\\.0\\.1:1`),
          );
          const statusJson = await cli(['--config', cfg, 'fleet', 'status', '--json']);
          assert.equal(statusJson.code, 0, statusJson.stderr);
          const sj = JSON.parse(statusJson.stdout) as {
            workflowId: string;
            report: FleetReport;
            schedule: { everyMs: number; paused: boolean };
          };
          assert.equal(sj.workflowId, workflowId);
          assert.equal(sj.report.peers.length, 3);
          assert.deepEqual(
            { everyMs: sj.schedule.everyMs, paused: sj.schedule.paused },
            { everyMs: 45 * 60_000, paused: false },
          );

          // pause, delete; a second delete says there is nothing to delete
          const paused = await cli(['--config', cfg, 'fleet', 'schedule', '--pause']);
          assert.equal(paused.code, 0, paused.stderr);
          assert.equal((await schedule.describe()).state.paused, true);
          const deleted = await cli(['--config', cfg, 'fleet', 'schedule', '--delete']);
          assert.equal(deleted.code, 0, deleted.stderr);
          await assert.rejects(schedule.describe(), ScheduleNotFoundError);
          const again = await cli(['--config', cfg, 'fleet', 'schedule', '--delete']);
          assert.equal(again.code, 1);
          assert.match(again.stderr, new RegExp(`no schedule ${scheduleId}.*peer-comms fleet schedule`));
        },
        tq,
      );
    } finally {
      await schedule.delete().catch(() => undefined);
    }
  });
});

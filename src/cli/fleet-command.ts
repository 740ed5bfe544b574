/**
 * `peer-comms fleet check` runs one fleet health check now and prints the table; `fleet status`
 * prints the last finished report (`fleet schedule`: fleet-schedule.ts). The checks run in
 * Temporal, on the controller worker; these commands only talk to the server.
 */
import { randomBytes } from 'node:crypto';
import type { ScheduleDescription } from '@temporalio/client';
import { formatDuration } from '../config/duration';
import { fleetWorkflowId, type FleetHealthInput, type FleetReport } from '../contracts/fleet';
import { describeFailure } from '../client/send';
import { workflowUrl } from '../temporal/connection';
import type { fleetHealth } from '../workflows/fleet-health';
import { EXIT } from './exit';
import { fleetSummary, fleetTable } from './fleet-render';
import {
  DEFAULT_EVERY,
  RUN_TIMEOUT,
  describeSchedule,
  intervalOf,
  scheduleLine,
  type FleetContext,
} from './fleet-schedule';

export type { FleetContext };

/** 0 when every peer was reached and no credentials push failed; 1 otherwise. */
function exitFor(report: FleetReport): number {
  return report.counts.unreachable === 0 && report.counts.credentialsFailed === 0 ? EXIT.ok : EXIT.failed;
}

export async function fleetCheck(ctx: FleetContext, peers: string[], opts: { json?: boolean }): Promise<number> {
  const workflowId = fleetWorkflowId(new Date(ctx.now?.() ?? Date.now()), randomBytes(2).toString('hex'));
  const input: FleetHealthInput = peers.length > 0 ? { peers } : {};
  const url = workflowUrl(ctx.settings, workflowId);
  const handle = await ctx.client.workflow.start<typeof fleetHealth>('fleetHealth', {
    workflowId,
    taskQueue: ctx.taskQueue,
    args: [input],
    staticSummary: `fleet health of ${peers.length > 0 ? peers.join(', ') : 'every peer'}, by hand`,
    workflowExecutionTimeout: RUN_TIMEOUT,
  });
  if (!opts.json) {
    ctx.err(`fleet check ${workflowId}`);
    ctx.err(`  ${url}`);
  }
  let report: FleetReport;
  try {
    report = await handle.result();
  } catch (e) {
    const f = describeFailure(e);
    if (opts.json) ctx.out(JSON.stringify({ ok: false, workflowId, url, error: f }, null, 2));
    else ctx.err(`fleet check failed [${f.type}]: ${f.message}`);
    return EXIT.failed;
  }
  const code = exitFor(report);
  if (opts.json) {
    ctx.out(JSON.stringify({ ok: code === EXIT.ok, workflowId, url, report }, null, 2));
  } else {
    ctx.out(fleetSummary(report));
    for (const line of fleetTable(report, ctx.now?.() ?? Date.now())) ctx.out(line);
  }
  return code;
}

interface FoundReport {
  workflowId: string;
  runId: string;
  closedAt: number;
  report: FleetReport;
}

/**
 * The newest finished fleetHealth on this task queue: from the visibility list (checks by hand
 * and scheduled ones) and the schedule's recent actions (seen at once, even while visibility lags).
 */
async function lastReport(
  ctx: FleetContext,
  schedule: ScheduleDescription | undefined,
): Promise<FoundReport | undefined> {
  const candidates = new Map<string, { workflowId: string; runId: string; closedAt: number }>();
  const query = `WorkflowType = 'fleetHealth' AND TaskQueue = '${ctx.taskQueue}' AND ExecutionStatus = 'Completed'`;
  let seen = 0;
  for await (const wf of ctx.client.workflow.list({ query })) {
    if (wf.closeTime)
      candidates.set(wf.runId, { workflowId: wf.workflowId, runId: wf.runId, closedAt: wf.closeTime.getTime() });
    if (++seen >= 50) break;
  }
  for (const a of [...(schedule?.info.recentActions ?? [])].reverse().slice(0, 10)) {
    const { workflowId, firstExecutionRunId: runId } = a.action.workflow;
    if (candidates.has(runId)) continue;
    try {
      const d = await ctx.client.workflow.getHandle(workflowId, runId).describe();
      if (d.status.name === 'COMPLETED' && d.closeTime) {
        candidates.set(runId, { workflowId, runId, closedAt: d.closeTime.getTime() });
      }
    } catch {
      // Gone (retention) or not visible yet: the list above may still have it.
    }
  }
  const newest = [...candidates.values()].sort((a, b) => b.closedAt - a.closedAt)[0];
  if (!newest) return undefined;
  const report = await ctx.client.workflow.getHandle<typeof fleetHealth>(newest.workflowId, newest.runId).result();
  return { ...newest, report };
}

export async function fleetStatus(ctx: FleetContext, opts: { json?: boolean }): Promise<number> {
  const schedule = await describeSchedule(ctx);
  const found = await lastReport(ctx, schedule);
  const running = schedule?.info.runningActions.map((a) => a.workflow.workflowId) ?? [];
  const scheduleJson = schedule
    ? {
        scheduleId: schedule.scheduleId,
        everyMs: intervalOf(schedule) ?? null,
        paused: schedule.state.paused,
        nextRunAt: schedule.info.nextActionTimes[0]?.toISOString() ?? null,
        running,
      }
    : null;
  if (opts.json) {
    ctx.out(
      JSON.stringify(
        found
          ? {
              ok: true,
              workflowId: found.workflowId,
              url: workflowUrl(ctx.settings, found.workflowId),
              closedAt: new Date(found.closedAt).toISOString(),
              report: found.report,
              schedule: scheduleJson,
            }
          : { ok: false, report: null, schedule: scheduleJson },
        null,
        2,
      ),
    );
    return found ? EXIT.ok : EXIT.failed;
  }
  if (!found) {
    ctx.err(
      `no fleet health report yet for task queue "${ctx.taskQueue}": run one now with \`peer-comms fleet check\`, or schedule them with \`peer-comms fleet schedule\` (every ${DEFAULT_EVERY})`,
    );
    if (schedule) ctx.err(scheduleLine(schedule));
    return EXIT.failed;
  }
  const now = ctx.now?.() ?? Date.now();
  ctx.out(
    `last fleet report ${found.workflowId}, finished ${new Date(found.closedAt).toISOString()} (${formatDuration(Math.max(0, now - found.closedAt))} ago)`,
  );
  ctx.out(`  ${workflowUrl(ctx.settings, found.workflowId)}`);
  ctx.out(schedule ? scheduleLine(schedule) : 'no schedule: create one with `peer-comms fleet schedule`');
  if (running.length > 0) ctx.out(`a check is running now: ${running.join(', ')}`);
  ctx.out(fleetSummary(found.report));
  for (const line of fleetTable(found.report, now)) ctx.out(line);
  return EXIT.ok;
}

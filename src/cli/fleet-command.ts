/**
 * `peer-comms fleet …`: the fleet health check. `schedule` creates (or updates, pauses, resumes,
 * deletes) the Temporal Schedule that runs fleetHealth every 30 min; `check` runs one now and
 * prints the table; `status` prints the last finished report. The checks run in Temporal, on the
 * controller worker; these commands only talk to the server.
 */
import { randomBytes } from 'node:crypto';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import { formatDuration, parseDuration } from '../config/duration';
import { fleetScheduleId, fleetWorkflowId, type FleetHealthInput, type FleetReport } from '../contracts/fleet';
import { describeFailure } from '../client/send';
import { workflowUrl, type TemporalSettings } from '../temporal/connection';
import type { fleetHealth } from '../workflows/fleet-health';
import { EXIT, UsageError } from './exit';
import { fleetSummary, fleetTable } from './fleet-render';

export interface FleetContext {
  client: Client;
  settings: TemporalSettings;
  /** The controller's task queue (the schedule starts fleetHealth there). */
  taskQueue: string;
  out: (line: string) => void;
  err: (line: string) => void;
  now?: () => number;
}

export const DEFAULT_EVERY = '30m';
/** A scheduled check that could not run within this long (no worker) is dropped; the next one runs. */
const RUN_TIMEOUT = '1 hour';

type FleetAction = ScheduleOptionsStartWorkflowAction<typeof fleetHealth>;

function scheduleAction(taskQueue: string, everyMs: number): FleetAction {
  return {
    type: 'startWorkflow',
    workflowType: 'fleetHealth',
    taskQueue,
    args: [{}],
    // The server appends the scheduled time: peer-comms-fleet-health-2026-11-25T17:30:00Z
    workflowId: fleetScheduleId(taskQueue),
    staticSummary: `fleet health, every ${formatEvery(everyMs)} (schedule ${fleetScheduleId(taskQueue)})`,
    workflowExecutionTimeout: RUN_TIMEOUT,
  };
}

/** An interval as given: 30m, 4h, 1h30m (formatDuration would say 30m00s). */
function formatEvery(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = (ms % 3_600_000) / 60_000;
  if (!Number.isInteger(m)) return formatDuration(ms);
  return `${h ? `${h}h` : ''}${m || !h ? `${m}m` : ''}`;
}

function parseEvery(every: string): number {
  let ms: number;
  try {
    ms = parseDuration(every);
  } catch (e) {
    throw new UsageError(`--every: ${(e as Error).message}`);
  }
  if (ms < 60_000) throw new UsageError(`--every: at least 1m (each check reaches every peer), not ${every}`);
  return ms;
}

async function describeSchedule(ctx: FleetContext): Promise<ScheduleDescription | undefined> {
  try {
    return await ctx.client.schedule.getHandle(fleetScheduleId(ctx.taskQueue)).describe();
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) return undefined;
    throw e;
  }
}

function intervalOf(d: ScheduleDescription): number | undefined {
  return d.spec.intervals?.[0]?.every;
}

function scheduleLine(d: ScheduleDescription): string {
  const every = intervalOf(d);
  const next = d.info.nextActionTimes[0];
  return `schedule ${d.scheduleId}: ${d.state.paused ? 'PAUSED, ' : ''}fleetHealth every ${every ? formatEvery(every) : '?'} on task queue "${d.action.taskQueue}"${!d.state.paused && next ? `, next run ${next.toISOString()}` : ''}`;
}

/** What `fleet schedule` was asked to do, checked before anything connects. */
export interface ScheduleRequest {
  what?: 'pause' | 'unpause' | 'delete';
  /** --every, parsed; undefined: the current interval, or 30m for a new schedule. */
  everyMs?: number;
}

export function scheduleRequest(opts: {
  every?: string;
  pause?: boolean;
  unpause?: boolean;
  delete?: boolean;
}): ScheduleRequest {
  const chosen = (['pause', 'unpause', 'delete'] as const).filter((k) => opts[k]);
  if (chosen.length > 1) throw new UsageError(`give one of --pause, --unpause, --delete (not ${chosen.join(' and ')})`);
  if (chosen.length === 1 && opts.every !== undefined) {
    throw new UsageError(`--every changes the schedule; it does not go with --${chosen[0]}`);
  }
  return { what: chosen[0], everyMs: opts.every !== undefined ? parseEvery(opts.every) : undefined };
}

export async function fleetSchedule(ctx: FleetContext, request: ScheduleRequest): Promise<number> {
  const id = fleetScheduleId(ctx.taskQueue);
  const handle = ctx.client.schedule.getHandle(id);
  const existing = await describeSchedule(ctx);
  const what = request.what;

  if (what) {
    if (!existing) {
      ctx.err(
        `there is no schedule ${id} on ${ctx.settings.address}/${ctx.settings.namespace}; create it with: peer-comms fleet schedule`,
      );
      return EXIT.failed;
    }
    if (what === 'delete') {
      await handle.delete();
      ctx.out(`deleted schedule ${id} (reports already made stay in the workflow history)`);
      return EXIT.ok;
    }
    if (what === 'pause') await handle.pause('paused with peer-comms fleet schedule --pause');
    else await handle.unpause('resumed with peer-comms fleet schedule --unpause');
    ctx.out(scheduleLine(await handle.describe()));
    ctx.out(what === 'pause' ? '  resume it with: peer-comms fleet schedule --unpause' : '  resumed');
    return EXIT.ok;
  }

  const current = existing ? intervalOf(existing) : undefined;
  const everyMs = request.everyMs ?? current ?? parseEvery(DEFAULT_EVERY);
  const action = scheduleAction(ctx.taskQueue, everyMs);
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: everyMs, pauseOnFailure: false };
  let verb = 'updated';
  if (!existing) {
    try {
      await ctx.client.schedule.create({
        scheduleId: id,
        spec: { intervals: [{ every: everyMs }] },
        action,
        policies,
        state: { note: 'created with peer-comms fleet schedule' },
      });
      verb = 'created';
    } catch (e) {
      if (!(e instanceof ScheduleAlreadyRunning)) throw e;
      // Created meanwhile by someone else: update it like an existing one.
    }
  }
  if (verb === 'updated') {
    await handle.update((prev) => ({
      spec: { intervals: [{ every: everyMs }] },
      action,
      policies,
      state: { paused: prev.state.paused, note: prev.state.note },
    }));
  }
  const now = await handle.describe();
  ctx.out(`${verb} ${scheduleLine(now)} (overlap: skip)`);
  ctx.out('  a run pushes credentials that expire within each peer’s refresh window and reports the rest;');
  ctx.out('  see the last report: peer-comms fleet status; run one now: peer-comms fleet check');
  return EXIT.ok;
}

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

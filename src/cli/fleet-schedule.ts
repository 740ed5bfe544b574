/**
 * `peer-comms fleet schedule`: creates (or updates, pauses, resumes, deletes) the Temporal
 * Schedule that runs fleetHealth every 30 min on the controller's task queue. The check itself
 * runs in Temporal; this only talks to the server.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import { formatDuration, parseDuration } from '../config/duration';
import { fleetScheduleId } from '../contracts/fleet';
import type { fleetHealth } from '../workflows/fleet-health';
import type { ClientContext } from './context';
import { EXIT, UsageError } from './exit';

/** What the fleet commands get: a client, and a clock tests can set. */
export interface FleetContext extends ClientContext {
  now?: () => number;
}

export const DEFAULT_EVERY = '30m';
/** A scheduled check that could not run within this long (no worker) is dropped; the next one runs. */
export const RUN_TIMEOUT = '1 hour';

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

export async function describeSchedule(ctx: FleetContext): Promise<ScheduleDescription | undefined> {
  try {
    return await ctx.client.schedule.getHandle(fleetScheduleId(ctx.taskQueue)).describe();
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) return undefined;
    throw e;
  }
}

export function intervalOf(d: ScheduleDescription): number | undefined {
  return d.spec.intervals?.[0]?.every;
}

export function scheduleLine(d: ScheduleDescription): string {
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

/**
 * History events of one finished send: the send's own history, and the pane lock workflow's
 * share for it (from the lock's acquire signal carrying this send's id up to the next
 * requester's). Counts by event type, so a change in the workflow's shape shows where it went.
 *
 *   import { countSendEvents } from './history-events';
 *   const n = await countSendEvents(client, workflowId); // { send, lock, byType, lockByType }
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { paneLockId } from '../src/workflows/pane-lock';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface SendEventCount {
  /** Events in the send's history. */
  send: number;
  /** Events in the pane lock's history on this send's behalf. */
  lock: number;
  /** The send's events by type (EVENT_TYPE_ dropped), activities and markers by name too. */
  byType: Record<string, number>;
  lockByType: Record<string, number>;
}

const EventType = temporal.api.enums.v1.EventType;

function typeName(e: HistoryEvent): string {
  const name = (EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');
  const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
  const marker = e.markerRecordedEventAttributes?.markerName;
  const signal =
    e.workflowExecutionSignaledEventAttributes?.signalName ??
    e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName;
  const update = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
  const extra = activity ?? marker ?? signal ?? update;
  return extra ? `${name} ${extra}` : name;
}

function count(events: HistoryEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) {
    const k = typeName(e);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** A string field of a payload that holds JSON (undefined when absent or not readable). */
function jsonField(data: Uint8Array | null | undefined, key: string): string | undefined {
  if (!data) return undefined;
  try {
    const v = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
    return typeof v[key] === 'string' ? v[key] : undefined;
  } catch {
    return undefined;
  }
}

/** The requester an acquire signal carries (undefined when the event is not one). */
function acquireRequester(e: HistoryEvent): string | undefined {
  return jsonField(e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data, 'requester');
}

/**
 * With PEER_COMMS_RECORD_HISTORIES=<dir> set, writes a history to <dir>/<name>.json (bench-send:
 * the last send measured, bench-lock: its pane lock so far; the format test/workflow/replay.test.ts
 * replays), to re-record
 * test/histories/ after an intended, versioned change of a plain send's shape.
 */
async function recordIfAsked(client: Client, workflowId: string, name: string): Promise<void> {
  const dir = process.env.PEER_COMMS_RECORD_HISTORIES;
  if (!dir) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.json`), historyToJSON(history));
  // a send's delivery ids derive from its workflow id: it replays only under that id
  await writeFile(join(dir, `${name}.workflow-id`), `${workflowId}\n`);
}

async function events(client: Client, workflowId: string): Promise<HistoryEvent[]> {
  const h = await client.workflow.getHandle(workflowId).fetchHistory();
  return h.events ?? [];
}

/** The lock history once it has stopped growing (the release handled), at most `maxMs` later. */
async function settledLockEvents(client: Client, lockId: string, maxMs = 5000): Promise<HistoryEvent[]> {
  let last = await events(client, lockId);
  for (let waited = 0; waited < maxMs; waited += 300) {
    await delay(300);
    const now = await events(client, lockId);
    if (now.length === last.length) return now;
    last = now;
  }
  return last;
}

/** The lock's events from this send's acquire (from the run's start when it started the run) to the next requester's. */
function lockShare(lockEvents: HistoryEvent[], workflowId: string): HistoryEvent[] {
  const firstAcquire = lockEvents.findIndex((e) => acquireRequester(e) !== undefined);
  const mine = lockEvents.findIndex((e) => acquireRequester(e) === workflowId);
  if (mine < 0) return [];
  const from = mine === firstAcquire ? 0 : mine;
  const nextOther = lockEvents.findIndex((e, i) => i > mine && (acquireRequester(e) ?? workflowId) !== workflowId);
  return lockEvents.slice(from, nextOther < 0 ? undefined : nextOther);
}

/**
 * Counts the events of a finished send (`workflowId`) and the pane lock's share for it. Meant
 * for sends measured one at a time: with concurrent sends to one pane the lock's share blurs.
 */
export async function countSendEvents(client: Client, workflowId: string): Promise<SendEventCount> {
  const sendEvents = await events(client, workflowId);
  await recordIfAsked(client, workflowId, 'bench-send');
  const peer = peerOf(sendEvents);
  let share: HistoryEvent[] = [];
  if (peer) {
    try {
      share = lockShare(await settledLockEvents(client, paneLockId(peer)), workflowId);
      await recordIfAsked(client, paneLockId(peer), 'bench-lock');
    } catch {
      share = []; // no lock workflow (a send that never asked for the pane)
    }
  }
  return { send: sendEvents.length, lock: share.length, byType: count(sendEvents), lockByType: count(share) };
}

/** The peer a send was started for (its first argument's `peer`). */
function peerOf(sendEvents: HistoryEvent[]): string | undefined {
  return jsonField(sendEvents[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data, 'peer');
}

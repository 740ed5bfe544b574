/**
 * History events per send: the send's own events, and what it added to the pane's long-lived
 * lock workflow (`lock-<peer>`, its historyLength before and after). Uses
 * bench/history-events.ts (countSendEvents) when it exists; otherwise counts here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';

export interface SendEvents {
  send: number;
  lock: number;
  byType: Record<string, number>;
  /** Which counter produced it. */
  counter: 'bench/history-events.ts' | 'bench/history-count.ts';
}

type Counter = (client: Client, workflowId: string) => Promise<Omit<SendEvents, 'counter'>>;

/** The history helper's counter, when it exists. */
async function sharedCounter(): Promise<Counter | undefined> {
  const file = join(__dirname, 'history-events.ts');
  if (!existsSync(file)) return undefined;
  const mod = (await import(file)) as { countSendEvents?: Counter };
  return mod.countSendEvents;
}

/** The lock workflow's history length now (latest run), and its run id. */
export async function lockLength(client: Client, peer: string): Promise<{ runId: string; length: number }> {
  try {
    const d = await client.workflow.getHandle(`lock-${peer}`).describe();
    return { runId: d.runId, length: d.historyLength };
  } catch {
    return { runId: '', length: 0 };
  }
}

export async function countEvents(
  client: Client,
  workflowId: string,
  peer: string,
  lockBefore: { runId: string; length: number },
): Promise<SendEvents> {
  const shared = await sharedCounter();
  if (shared) return { ...(await shared(client, workflowId)), counter: 'bench/history-events.ts' };
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const byType: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const type = String(e.eventType ?? 'unknown');
    byType[type] = (byType[type] ?? 0) + 1;
  }
  const after = await lockLength(client, peer);
  // a lock that continued as new meanwhile: count its new run from the start
  const lock = after.runId === lockBefore.runId ? after.length - lockBefore.length : after.length;
  return { send: history.events?.length ?? 0, lock, byType, counter: 'bench/history-count.ts' };
}

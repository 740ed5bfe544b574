/**
 * Starting a send and following it: used by the CLI, the demo and the tests alike.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { causeChain } from '../contracts/failure-chain';
import { OUTCOME_ATTR, PEER_ATTR } from '../contracts/search-attributes';
import type { SendDirectiveInput, SendProgress, SendResult } from '../contracts/send';
import { formatRefusal, gateText, type GateRefused } from '../contracts/text-gate';
import { progressQuery } from '../workflows/definitions';
import type { sendDirective } from '../workflows/send-directive';

export function newSendWorkflowId(peer: string, now = new Date()): string {
  const t = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
    .replace('T', '-');
  return `send-${peer}-${t}-${randomBytes(3).toString('hex')}`;
}

/** A text the input gate refused: nothing was started. */
export class TextRefused extends Error {
  override name = 'TextRefused';
  constructor(readonly refusal: GateRefused) {
    super(formatRefusal(refusal));
  }
}

/**
 * Starts a send. The text goes through the input gate first (the workflow checks it again):
 * a refused text throws TextRefused and starts nothing; an accepted one is sent normalised.
 * A start Temporal refuses (a payload over its limit, no connection) throws an error that says so.
 */
export async function startSend(
  client: Client,
  taskQueue: string,
  input: SendDirectiveInput,
  workflowId = newSendWorkflowId(input.peer),
): Promise<WorkflowHandle<typeof sendDirective>> {
  const gate = gateText(input.text);
  if (!gate.ok) throw new TextRefused(gate);
  const text = gate.text;
  const firstLine = text.split('\n', 1)[0] ?? '';
  try {
    return await client.workflow.start<typeof sendDirective>('sendDirective', {
      workflowId,
      taskQueue,
      args: [{ ...input, text }],
      // Both set here, so the workflow need not upsert them at its start (LEAN_HISTORY_PATCH in src/workflows/send/options.ts).
      typedSearchAttributes: [
        { key: PEER_ATTR, value: input.peer },
        { key: OUTCOME_ATTR, value: 'running' },
      ],
      staticSummary: `send to ${input.peer}: ${firstLine.slice(0, 60)}${firstLine.length > 60 || text.includes('\n') ? '…' : ''}`,
      // One attempt: a send that failed is reported to the person, not silently re-run.
      workflowExecutionTimeout: '2 days',
    });
  } catch (err) {
    throw new Error(`Temporal did not start the send workflow ${workflowId}: ${describeFailure(err).message}`, {
      cause: err,
    });
  }
}

export interface FailureInfo {
  type: string;
  message: string;
}

/** The innermost readable failure: WorkflowFailedError → ActivityFailure → ApplicationFailure. */
export function describeFailure(err: unknown): FailureInfo {
  let best: FailureInfo = { type: 'Error', message: err instanceof Error ? err.message : String(err) };
  for (const e of causeChain(err instanceof WorkflowFailedError ? err.cause : err, 20)) {
    if (e instanceof ApplicationFailure) best = { type: e.type ?? 'Error', message: e.message };
    else if (e instanceof ActivityFailure) best = { type: 'ActivityFailure', message: e.message };
    else best = { type: e.name, message: e.message }; // TemporalFailure and plain errors alike
  }
  return best;
}

/** Whom followSend tells what: the progress query's answer, and (optional) the steps retrying now. */
export interface SendWatcher {
  onProgress: (p: SendProgress) => void;
  /** Called about once a second with describe()'s retrying activities (an empty list when none). */
  onRetries?: (r: PendingRetry[]) => void;
}

/**
 * Waits for the result while polling the progress query, calling onProgress whenever it
 * changes (so a CLI can show each step as it completes); with onRetries, describe() is polled
 * too, about once a second, for the steps Temporal is retrying.
 */
export async function followSend(
  handle: WorkflowHandle<typeof sendDirective>,
  watch: SendWatcher | ((p: SendProgress) => void),
  pollMs = 150,
): Promise<SendResult> {
  const { onProgress, onRetries } = typeof watch === 'function' ? { onProgress: watch, onRetries: undefined } : watch;
  let done = false;
  let wake: (() => void) | undefined;
  let lastJson = '';
  let lastDescribe = 0;
  const poll = async () => {
    while (!done) {
      try {
        const p = await handle.query(progressQuery);
        const json = JSON.stringify(p);
        if (json !== lastJson && !done) {
          lastJson = json;
          onProgress(p);
        }
        if (onRetries && Date.now() - lastDescribe >= 1000) {
          lastDescribe = Date.now();
          const retries = pendingRetries(await handle.describe());
          if (!done) onRetries(retries);
        }
      } catch {
        // not started yet, or already closed: the result settles it
      }
      if (done) break;
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, pollMs);
      });
    }
  };
  const poller = poll();
  try {
    return await handle.result();
  } finally {
    // the result is in: stop polling at once (a query in flight is not waited for)
    done = true;
    wake?.();
    void poller;
  }
}

/** A step Temporal is retrying now: one pending activity whose last attempt failed. */
export interface PendingRetry {
  /** The activity's name (`preflight`, `deliver`, …). */
  activity: string;
  /** The attempt that failed last. */
  failedAttempt: number;
  /** The failure's message, its first line only. */
  lastError: string;
  /** When the next attempt starts (epoch ms); undefined while it runs. */
  nextTryAt?: number;
}

/** A protobuf Timestamp as describe() gives it: seconds a Long (or a number), nanos a number. */
type ProtoTime = { seconds?: { toString(): string } | number | null; nanos?: number | null };

function epochMs(t: ProtoTime | null | undefined): number | undefined {
  if (!t) return undefined;
  return Number(String(t.seconds ?? 0)) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

type DescribeLike = {
  raw: {
    pendingActivities?: Array<{
      activityType?: { name?: string | null } | null;
      attempt?: number | null;
      lastFailure?: { message?: string | null } | null;
      nextAttemptScheduleTime?: ProtoTime | null;
    }> | null;
  };
};

/**
 * The retrying steps in a describe() answer. A pending activity with a last failure is retrying:
 * backing off (a next attempt time; `attempt` is the one to come) or running again (`attempt`
 * runs now). Either way the failed one is `attempt - 1`.
 */
export function pendingRetries(d: DescribeLike): PendingRetry[] {
  const out: PendingRetry[] = [];
  for (const a of d.raw.pendingActivities ?? []) {
    const attempt = a.attempt ?? 1;
    if (!a.lastFailure || attempt < 2) continue;
    const next = epochMs(a.nextAttemptScheduleTime);
    out.push({
      activity: a.activityType?.name ?? 'a step',
      failedAttempt: attempt - 1,
      lastError: (a.lastFailure.message ?? '').split('\n', 1)[0]!.trim().slice(0, 300),
      ...(next !== undefined ? { nextTryAt: next } : {}),
    });
  }
  return out;
}

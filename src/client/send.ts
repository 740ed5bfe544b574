/**
 * Starting a send and following it: used by the CLI, the demo and the tests alike.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { causeChain } from '../contracts/failure-chain';
import { PEER_ATTR } from '../contracts/search-attributes';
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
      typedSearchAttributes: [{ key: PEER_ATTR, value: input.peer }],
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

/**
 * Waits for the result while polling the progress query, calling onProgress whenever it
 * changes (so a CLI can show each step as it completes).
 */
export async function followSend(
  handle: WorkflowHandle<typeof sendDirective>,
  onProgress: (p: SendProgress) => void,
  pollMs = 150,
): Promise<SendResult> {
  let done = false;
  let wake: (() => void) | undefined;
  let lastJson = '';
  const poll = async () => {
    while (!done) {
      try {
        const p = await handle.query(progressQuery);
        const json = JSON.stringify(p);
        if (json !== lastJson && !done) {
          lastJson = json;
          onProgress(p);
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

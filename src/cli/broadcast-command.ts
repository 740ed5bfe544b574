/**
 * `peer-comms send a,b,c <text>` (or a group, or --all): one broadcast workflow with a child
 * send per peer. One live table (broadcast-render.ts), each peer's outcome and exit code kept,
 * the overall exit code the worst of them (failed 1 > unconfirmed 4 > queued 3 > acked 0).
 */
import { randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  broadcastChildId,
  worstOutcome,
  type BroadcastInput,
  type BroadcastResult,
  type PeerOutcome,
} from '../contracts/broadcast';
import type { SendOutcome, SendProgress } from '../contracts/send';
import { gateText } from '../contracts/text-gate';
import { describeFailure, TextRefused } from '../client/send';
import { workflowUrl, type TemporalSettings } from '../temporal/connection';
import type { broadcast } from '../workflows/broadcast';
import { broadcastProgressQuery, progressQuery } from '../workflows/definitions';
import { BroadcastTable, redrawsInPlace, rowOf } from './broadcast-render';
import { EXIT } from './exit';
import { outcomeLine } from './send-command';
import { whoAmI } from './who';

const EXIT_OF: Record<SendOutcome, number> = {
  acked: EXIT.ok,
  queued: EXIT.queued,
  unconfirmed: EXIT.unconfirmed,
  failed: EXIT.failed,
};

export function newBroadcastWorkflowId(now = new Date()): string {
  const t = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
    .replace('T', '-');
  return `broadcast-${t}-${randomBytes(3).toString('hex')}`;
}

export interface BroadcastRun {
  exitCode: number;
  workflowId: string;
  url: string;
  peers: (PeerOutcome & { exitCode: number })[];
  error?: { type: string; message: string };
}

export interface BroadcastArgs extends Omit<BroadcastInput, 'requestedBy'> {
  client: Client;
  settings: TemporalSettings;
  taskQueue: string;
  json: boolean;
  out?: (line: string) => void;
  /** Where the table goes (stderr by default), and whether to redraw it in place. */
  err?: (text: string) => void;
  tty?: boolean;
}

/** Starts a broadcast (the text through the input gate first: a refusal throws TextRefused, nothing started). */
export async function startBroadcast(
  client: Client,
  taskQueue: string,
  input: BroadcastInput,
  workflowId = newBroadcastWorkflowId(),
): Promise<WorkflowHandle<typeof broadcast>> {
  const gate = gateText(input.text);
  if (!gate.ok) throw new TextRefused(gate);
  const firstLine = gate.text.split('\n', 1)[0] ?? '';
  try {
    return await client.workflow.start<typeof broadcast>('broadcast', {
      workflowId,
      taskQueue,
      args: [{ ...input, text: gate.text }],
      staticSummary: `broadcast to ${input.peers.join(', ').slice(0, 60)}: ${firstLine.slice(0, 60)}`,
      workflowExecutionTimeout: '2 days',
    });
  } catch (err) {
    throw new Error(`Temporal did not start the broadcast workflow ${workflowId}: ${describeFailure(err).message}`, {
      cause: err,
    });
  }
}

export async function runBroadcast(args: BroadcastArgs): Promise<BroadcastRun> {
  const out = args.out ?? ((l) => process.stdout.write(`${l}\n`));
  const err = args.err ?? ((t) => process.stderr.write(t));
  const tty = args.tty ?? (redrawsInPlace(process.stderr) && args.err === undefined);
  const workflowId = newBroadcastWorkflowId();
  const url = workflowUrl(args.settings, workflowId);
  const { peers, text, mode, queue, workload } = args;
  const handle = await startBroadcast(
    args.client,
    args.taskQueue,
    { peers, text, mode, queue, workload, requestedBy: `${whoAmI()} (cli)` },
    workflowId,
  );
  if (!args.json) err(`broadcast ${workflowId} to ${peers.length} peers\n  ${url}\n`);
  const table = new BroadcastTable(args.json ? () => {} : err, tty, process.stderr.columns ?? 100);
  // --json shows no table: nothing to follow, so no queries while the broadcast runs
  const follower = args.json ? { stop: async () => {} } : follow(args.client, handle, peers, table);
  let result: BroadcastResult;
  try {
    result = await handle.result();
  } catch (e) {
    void follower.stop();
    const failure = describeFailure(e);
    if (args.json) out(JSON.stringify({ ok: false, outcome: 'failed', workflowId, url, error: failure }, null, 2));
    else err(`failed [${failure.type}]: ${failure.message}\n  history: ${url}\n`);
    return { exitCode: EXIT.failed, workflowId, url, peers: [], error: failure };
  }
  await follower.stop(result.peers);
  const rows = result.peers.map((p) => ({ ...p, exitCode: EXIT_OF[p.outcome ?? 'failed'] }));
  const outcome = worstOutcome(rows.map((r) => r.outcome));
  const exitCode = EXIT_OF[outcome];
  if (args.json) {
    out(JSON.stringify({ ok: exitCode === 0, outcome, exitCode, workflowId, url, peers: rows }, null, 2));
  } else {
    for (const r of rows) {
      for (const w of r.result?.warnings ?? []) err(`  ! ${r.peer}: ${w}\n`);
      out(r.result ? outcomeLine(r.peer, r.result) : `failed: ${r.peer}: [${r.error?.type}] ${r.error?.message}`);
    }
    const acked = rows.filter((r) => r.outcome === 'acked').length;
    out(`broadcast: ${acked} of ${rows.length} acked${exitCode === 0 ? '' : `; exit ${exitCode} (${outcome})`}`);
  }
  return { exitCode, workflowId, url, peers: rows };
}

/**
 * Child progress queries per poll, at most: a wide broadcast asks its running children in turn
 * (each query is a round trip to Temporal and a task on the worker, which the sends themselves
 * need), so 20 peers cost ~27 queries a second, not 140; each row still moves every ~0.75 s.
 */
export const CHILD_QUERIES_PER_POLL = 4;

/** The running peers one poll asks, in turn from `from`: all of them, or `max` of them. */
export function childrenToAsk(running: readonly string[], from: number, max = CHILD_QUERIES_PER_POLL): string[] {
  if (running.length <= max) return [...running];
  return Array.from({ length: max }, (_, i) => running[(from + i) % running.length]!);
}

/**
 * Polls the children's progress (their ids are derived from the broadcast's) and the
 * broadcast's outcomes, drawing the table on each change. stop() draws the final rows.
 */
function follow(
  client: Client,
  handle: WorkflowHandle<typeof broadcast>,
  peers: string[],
  table: BroadcastTable,
  pollMs = 150,
): { stop(final?: PeerOutcome[]): Promise<void> } {
  let turn = 0;
  const progress = new Map<string, SendProgress>();
  const outcomes = new Map<string, PeerOutcome>();
  let done = false;
  let wake: (() => void) | undefined;
  let lastJson = '';
  const draw = () => {
    const rows = peers.map((peer) => {
      const o = outcomes.get(peer);
      const note = o?.outcome === 'failed' ? `✗ [${o.error?.type}] ${o.error?.message}` : undefined;
      return rowOf(peer, progress.get(peer), o?.outcome, note);
    });
    const json = JSON.stringify(rows);
    if (json !== lastJson) table.update(rows);
    lastJson = json;
  };
  const pollOnce = async () => {
    try {
      for (const o of (await handle.query(broadcastProgressQuery)).peers) outcomes.set(o.peer, o);
    } catch {
      // not started yet, or closed: the result settles it
    }
    const running = peers.filter((peer) => !outcomes.get(peer)?.outcome);
    const ask = childrenToAsk(running, turn);
    turn += ask.length;
    await Promise.all(
      ask.map(async (peer) => {
        try {
          const h = client.workflow.getHandle(broadcastChildId(handle.workflowId, peer));
          progress.set(peer, await h.query(progressQuery));
        } catch {
          // the child has not started yet
        }
      }),
    );
  };
  const loop = (async () => {
    while (!done) {
      await pollOnce();
      if (done) break;
      draw();
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, pollMs);
      });
    }
  })();
  return {
    async stop(final) {
      done = true;
      wake?.();
      await loop;
      if (!final) return;
      // the final rows: each peer's outcome and, for a finished send, its last step
      for (const o of final) {
        outcomes.set(o.peer, o);
        if (o.result) {
          const { workflowId, steps, warnings } = o.result;
          progress.set(o.peer, { workflowId, peer: o.peer, phase: 'finished', steps, warnings });
        }
      }
      draw();
    },
  };
}

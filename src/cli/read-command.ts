/**
 * `peer-comms peek | inbox | log <peer>`: read a peer's state, change nothing. SSH and local
 * peers are read directly (one pooled connection, no Temporal); a `via: worker` peer through
 * the readPeer workflow, whose activity its own worker runs.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createReadPeerActivities } from '../activities/read-peer';
import { describeFailure, type FailureInfo } from '../client/send';
import type { Config } from '../config/schema';
import { ErrorType } from '../contracts/errors';
import {
  LOG_DEFAULT_COUNT,
  LOG_MAX_COUNT,
  PEEK_DEFAULT_LINES,
  PEEK_MAX_LINES,
  boundedCount,
  type ReadPeerInput,
  type ReadPeerResult,
  type ReadWhat,
} from '../contracts/read-peer';
import { peerTaskQueue } from '../contracts/route';
import type { readPeer } from '../workflows/read-peer';
import { directDeps } from './direct-deps';
import { EXIT, UsageError } from './exit';
import { renderInbox, renderLog, renderPeek } from './read-render';

export interface ReadRequest {
  peer: string;
  what: ReadWhat;
  /** peek: lines; log: commits (the raw `-n` value). */
  n?: string;
  json: boolean;
}

export interface ReadIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** A Temporal client, asked for only when the peer is read through its worker. */
  connect: () => Promise<{ client: Client; close: () => Promise<void> }>;
}

/** The `-n` value as the workflow input needs it; a UsageError names the bounds. */
export function readInput(req: ReadRequest): ReadPeerInput {
  const input: ReadPeerInput = { peer: req.peer, what: req.what };
  if (req.what === 'inbox') return input;
  const [fallback, max, name] =
    req.what === 'peek' ? [PEEK_DEFAULT_LINES, PEEK_MAX_LINES, 'lines'] : [LOG_DEFAULT_COUNT, LOG_MAX_COUNT, 'commits'];
  const raw = req.n === undefined ? undefined : /^\d+$/.test(req.n.trim()) ? Number(req.n) : NaN;
  const n = boundedCount(raw, fallback, max);
  if (n === undefined) throw new UsageError(`-n: expected a number of ${name} from 1 to ${max}, got "${req.n ?? ''}"`);
  return req.what === 'peek' ? { ...input, lines: n } : { ...input, count: n };
}

/** Reads over SSH or locally, as the controller worker would, without Temporal. */
async function readDirect(config: Config, input: ReadPeerInput): Promise<ReadPeerResult> {
  const { deps, pool } = directDeps(config);
  const acts = createReadPeerActivities(deps);
  try {
    switch (input.what) {
      case 'peek':
        return { what: 'peek', peek: await acts.peekPane({ peer: input.peer, lines: input.lines }) };
      case 'inbox':
        return { what: 'inbox', inbox: await acts.listInbox({ peer: input.peer }) };
      case 'log':
        return { what: 'log', log: await acts.recentCommits({ peer: input.peer, count: input.count }) };
    }
  } finally {
    await pool.closeAll();
  }
}

/** How many workers polled the queue lately (workflow or activity tasks). */
async function pollerCount(client: Client, queue: string, kind: 'workflow' | 'activity'): Promise<number> {
  const types = temporal.api.enums.v1.TaskQueueType;
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: queue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: kind === 'workflow' ? types.TASK_QUEUE_TYPE_WORKFLOW : types.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return res.pollers?.length ?? 0;
}

class NotRunning extends Error {}

/** Through the readPeer workflow on the controller's queue; its activity runs on the peer worker's queue. */
async function readThroughWorker(
  config: Config,
  input: ReadPeerInput,
  io: ReadIo,
): Promise<{ result: ReadPeerResult; workflowId: string }> {
  const controllerQueue = config.controller.taskQueue;
  const peerQueue = peerTaskQueue(controllerQueue, input.peer);
  const { client, close } = await io.connect();
  try {
    if ((await pollerCount(client, controllerQueue, 'workflow')) === 0) {
      throw new NotRunning(
        `no controller worker polls the task queue "${controllerQueue}"; ${input.peer} is read through its peer worker, which needs the controller worker too: start \`peer-comms worker\` (or \`peer-comms dev\`)`,
      );
    }
    if ((await pollerCount(client, peerQueue, 'activity')) === 0) {
      throw new NotRunning(
        `no peer worker polls "${peerQueue}": start it on ${input.peer} (\`peer-comms worker --peer ${input.peer}\`)`,
      );
    }
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, '');
    const workflowId = `read-${input.peer}-${input.what}-${stamp}-${randomBytes(3).toString('hex')}`;
    const result = await client.workflow.execute<typeof readPeer>('readPeer', {
      workflowId,
      taskQueue: controllerQueue,
      args: [input],
      staticSummary: `${input.what} ${input.peer} (read-only)`,
      // one look: if the workers cannot give it in this time, say so rather than wait
      workflowExecutionTimeout: '3 minutes',
    });
    return { result, workflowId };
  } finally {
    await close();
  }
}

function problemOf(r: ReadPeerResult): string | undefined {
  return r.what === 'peek' ? r.peek.problem : r.what === 'log' ? r.log.problem : undefined;
}

/** Runs one read and prints it; returns the exit code. */
export async function readNow(config: Config, req: ReadRequest, io: ReadIo): Promise<number> {
  const input = readInput(req);
  const cfg = config.peers[req.peer];
  const via = cfg?.via ?? 'ssh';
  let result: ReadPeerResult;
  let workflowId: string | undefined;
  try {
    if (via === 'worker') ({ result, workflowId } = await readThroughWorker(config, input, io));
    else result = await readDirect(config, input);
  } catch (err) {
    const f: FailureInfo =
      err instanceof NotRunning ? { type: ErrorType.NoPeerWorker, message: err.message } : describeFailure(err);
    if (req.json) io.out(JSON.stringify({ ok: false, peer: req.peer, what: req.what, via, error: f }, null, 2));
    else {
      const message = f.message.startsWith(`${req.peer}: `) ? f.message.slice(req.peer.length + 2) : f.message;
      io.err(`${req.peer}: ${req.what} failed [${f.type}]: ${message}`);
    }
    return EXIT.failed;
  }
  const problem = problemOf(result);
  if (req.json) {
    const body = result.what === 'peek' ? result.peek : result.what === 'inbox' ? result.inbox : result.log;
    const shown = {
      ok: !problem,
      peer: req.peer,
      what: result.what,
      via,
      workflowId,
      taskQueue: result.taskQueue,
      result: body,
    };
    io.out(JSON.stringify(shown, null, 2));
    return problem ? EXIT.failed : EXIT.ok;
  }
  if (problem) {
    io.err(problem);
    return EXIT.failed;
  }
  const now = Date.now();
  const lines =
    result.what === 'peek'
      ? renderPeek(result.peek)
      : result.what === 'inbox'
        ? renderInbox(result.inbox, now)
        : renderLog(result.log, now);
  for (const l of lines) io.out(l);
  return EXIT.ok;
}

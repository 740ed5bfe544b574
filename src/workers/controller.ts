/**
 * The controller worker: serves the "peer-comms" task queue with the workflows and the
 * activities that reach peers over SSH (one pooled connection per peer) or locally.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ControllerDeps } from '../activities';
import { execGit } from '../activities/git-run';
import type { Config } from '../config/schema';
import { readControllerCredentials } from '../config/controller-credentials';
import { expandHome } from '../config/paths';
import { PeerShellPool } from '../peer-access/pool';
import { codecOptions } from '../temporal/codec';
import type { PaneLockInput } from '../contracts/pane-lock';
import { acquireSignal, releaseSignal } from '../workflows/definitions';
import { paneLock } from '../workflows/pane-lock';
import { peerConnector } from './peer-shells';
import { workflowOptions } from './workflow-code';

export interface ControllerWorkerOptions {
  config: Config;
  connection: NativeConnection;
  /** For pane locks (signal-with-start). */
  client: Client;
  namespace: string;
  taskQueue?: string;
  /** Overrides for tests (e.g. a fake clock or audit sink). */
  deps?: Partial<ControllerDeps>;
  /** Extra worker options (tests: shorter shutdown grace). */
  worker?: Partial<WorkerOptions>;
}

export function realDeps(config: Config, pool: PeerShellPool, client: Client, taskQueue: string): ControllerDeps {
  const auditPath = expandHome(config.controller.auditLog);
  return {
    config,
    shells: pool,
    readControllerFile: (p) => readControllerCredentials(p), // the file, or on macOS the Keychain
    appendAudit: async (line) => {
      await mkdir(dirname(auditPath), { recursive: true, mode: 0o700 });
      await appendFile(auditPath, `${line}\n`, { mode: 0o600 });
    },
    now: () => Date.now(),
    sleep: (ms, signal) => delay(ms, undefined, { signal }),
    requestPaneLock: async (lockWorkflowId, request) => {
      await client.workflow.signalWithStart(paneLock, {
        ...paneLockStart(lockWorkflowId, taskQueue),
        signal: acquireSignal,
        signalArgs: [request],
      });
    },
    releasePaneLock: async (lockWorkflowId, requester) => {
      try {
        await client.workflow.getHandle(lockWorkflowId).signal(releaseSignal, { requester });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err; // no lock running: nothing to let go
      }
    },
    queuePollers: async (queue) => {
      const res = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: queue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      return (res.pollers ?? []).map((p) => ({
        identity: p.identity ?? '',
        lastAccessAt: p.lastAccessTime?.seconds != null ? Number(p.lastAccessTime.seconds) * 1000 : null,
      }));
    },
    runGit: execGit,
  };
}

/** How a pane lock workflow starts (the first request for its pane starts it). */
function paneLockStart(lockWorkflowId: string, taskQueue: string) {
  return {
    workflowId: lockWorkflowId,
    taskQueue,
    args: [{ idleMs: 10 * 60_000 }] as [PaneLockInput],
    staticSummary: `pane lock ${lockWorkflowId.slice(5)}`,
  };
}

/**
 * The worker's size, set on purpose (docs/performance.md, Sizing): the defaults scale with the
 * machine's heap and cores (issue 12 measured 274 MB RSS with 50 open jobs; the goal is ≤ 250 MB).
 */
export const CONTROLLER_SIZING = {
  // One V8 context for every workflow, not one per cached workflow (the SDK's default, pinned).
  reuseV8Context: true,
  // One workflow thread (one isolate, one heap): workflow code runs in short bursts.
  workflowThreadPoolSize: 1,
  // Each cached workflow costs about 1 MB (measured: 146 MB idle, 197 MB with 50 open pane
  // locks, 250 MB with 100); the default (~600 per GB of heap) set no useful bound.
  // 80 keeps the sends running now, their locks and the busiest jobs; an idle job evicted from
  // the cache is replayed on its next task: slower, never wrong.
  maxCachedWorkflows: 80,
  // Workflow tasks at once: a 20-peer broadcast runs 21 workflows; a task holds its slot while
  // its local activities (routePeer, requestPaneLock, audit) run.
  maxConcurrentWorkflowTaskExecutions: 40,
  // Activities at once: the ack waits and a job's turn polls hold theirs for seconds to minutes.
  maxConcurrentActivityTaskExecutions: 100,
  // Local activities at once: the controller-side bookkeeping of the sends running now.
  maxConcurrentLocalActivityExecutions: 50,
  // Long polls over the worker's one native connection (HTTP/2, multiplexed; the SDK's defaults,
  // pinned): a poll costs a few KB, and a broadcast's burst of tasks is taken at once.
  maxConcurrentWorkflowTaskPolls: 10,
  maxConcurrentActivityTaskPolls: 10,
} satisfies Partial<WorkerOptions>;

/**
 * V8 flags set before Worker.create makes the workflow thread's isolate (docs/performance.md,
 * Sizing; measured with `npm run bench -- --only rss`):
 * - a 1 MB semi-space: that isolate's young generation had grown to 32 MB committed with a third
 *   in use; workflow code makes small short-lived objects in short bursts, so a small young
 *   generation costs only a few more scavenges of a millisecond or so;
 * - optimize-for-size: V8 grows its heaps in smaller steps and keeps less slack (both isolates:
 *   V8 reads this flag at each GC, so it reaches the main one too).
 * Together with the smaller workflow bundle: 50 open jobs 357 -> 246 MB RSS.
 */
export const WORKER_V8_FLAGS = '--max-semi-space-size=1 --optimize-for-size';

export async function createControllerWorker(
  opts: ControllerWorkerOptions,
): Promise<{ worker: Worker; pool: PeerShellPool }> {
  const taskQueue = opts.taskQueue ?? opts.config.controller.taskQueue;
  const pool = new PeerShellPool(peerConnector(opts.config));
  const deps = { ...realDeps(opts.config, pool, opts.client, taskQueue), ...opts.deps };
  setFlagsFromString(WORKER_V8_FLAGS);
  const worker = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue,
    activities: createActivities(deps),
    ...workflowOptions(),
    ...(await codecOptions(opts.config)), // encryption at rest, when on
    ...CONTROLLER_SIZING,
    ...opts.worker,
  });
  return { worker, pool };
}

/** Runs the worker until the signal aborts (or the process is interrupted); always closes the pool. */
export async function runControllerWorker(opts: ControllerWorkerOptions, signal?: AbortSignal): Promise<void> {
  const { worker, pool } = await createControllerWorker(opts);
  const onAbort = () => worker.shutdown();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await worker.run();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pool.closeAll();
  }
}

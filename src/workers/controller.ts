/**
 * The controller worker: serves the "peer-comms" task queue with the workflows and the
 * activities that reach peers over SSH (one pooled connection per peer) or locally.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
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
import { acquireSignal } from '../workflows/definitions';
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
        workflowId: lockWorkflowId,
        taskQueue,
        args: [{ idleMs: 10 * 60_000 }],
        signal: acquireSignal,
        signalArgs: [request],
        staticSummary: `pane lock ${lockWorkflowId.slice(5)}`,
      });
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

export async function createControllerWorker(
  opts: ControllerWorkerOptions,
): Promise<{ worker: Worker; pool: PeerShellPool }> {
  const taskQueue = opts.taskQueue ?? opts.config.controller.taskQueue;
  const pool = new PeerShellPool(peerConnector(opts.config));
  const deps = { ...realDeps(opts.config, pool, opts.client, taskQueue), ...opts.deps };
  const worker = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue,
    activities: createActivities(deps),
    ...workflowOptions(),
    ...(await codecOptions(opts.config)), // encryption at rest, when on
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

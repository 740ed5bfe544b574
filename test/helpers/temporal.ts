/**
 * Shared setup for workflow tests: one Temporal test server per test file (the dev server,
 * or the time-skipping test server), the workflow bundle built once per file and reused by
 * every test's Worker, the Runtime installed once per process, and unique task queues.
 *
 *   before(async () => { env = await startDevEnv(); });
 *   after(async () => { await env?.teardown(); });
 *   const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: uniqueQueue('send'),
 *     workflowBundle: await workflowBundle(), activities });
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes';
import { findTemporalBinary } from '../../src/temporal/cli-binary';

let runtimeInstalled = false;

/** Installs the Temporal Runtime (quiet logger) the first time it is called in this process. */
export function installRuntimeOnce(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  if (Runtime._instance) return; // someone else made it already
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/** A Temporal CLI dev server on 127.0.0.1 with our search attributes (no time skipping). */
export async function startDevEnv(): Promise<TestWorkflowEnvironment> {
  installRuntimeOnce();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: findTemporalBinary('temporal') },
      ip: '127.0.0.1',
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'warn' },
    },
  });
}

/** The time-skipping test server: `env.sleep(ms)` and awaiting a result skip timers. */
export async function startTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installRuntimeOnce();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: findTemporalBinary('temporal-test-server') } },
  });
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/**
 * The workflow code bundled once per process (per workflows path): `src/workflows` by default,
 * or another workflows module (absolute path, e.g. `require.resolve('./my-test-workflows')`).
 */
export function workflowBundle(
  workflowsPath: string = require.resolve('../../src/workflows'),
): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

let queueCounter = 0;

/** A task queue (or id) no other test in any process uses. */
/** Runs `fn` while a worker with the project's workflows and these activities polls `taskQueue`. */
export async function runWorkerUntil<T>(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: object,
  fn: () => Promise<T>,
): Promise<T> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
  return worker.runUntil(fn);
}

export function uniqueQueue(prefix: string): string {
  queueCounter++;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${queueCounter}`;
}

/**
 * The first ApplicationFailure in an error's cause chain (WorkflowFailedError → ActivityFailure
 * → ApplicationFailure), or undefined. Use its `.type` to assert what went wrong.
 */
/**
 * Awaits a workflow that must fail: asserts it ended with WorkflowFailedError and returns the
 * ApplicationFailure in its cause chain (asserting there is one).
 */
export async function workflowFailure(result: Promise<unknown>): Promise<ApplicationFailure> {
  let caught: unknown;
  try {
    await result;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(caught)}`);
  const failure = applicationFailureIn(caught);
  assert.ok(failure, `no ApplicationFailure in the cause chain of ${String(caught)}`);
  return failure;
}

export function applicationFailureIn(err: unknown): ApplicationFailure | undefined {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 10; depth++) {
    if (e instanceof ApplicationFailure) return e;
    e = e.cause;
  }
  return undefined;
}

/**
 * One dev-server environment for this test file: starts it (and builds the workflow bundle) before
 * the first test, tears it down after the last. Returns the getter tests use.
 */
export function devEnvPerFile(): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  before(async () => {
    [env] = await Promise.all([startDevEnv(), workflowBundle()]);
  });
  after(async () => {
    await env?.teardown();
  });
  return () => {
    if (!env) throw new Error('the Temporal test environment did not start');
    return env;
  };
}

/**
 * With PEER_COMMS_RECORD_HISTORIES=<dir> set, writes the workflow's history to <dir>/<name>.json
 * once the workflow has closed (the format test/workflow/replay.test.ts replays); otherwise does nothing. Used to re-record
 * test/histories/ after an intended, versioned workflow change.
 */
export async function recordHistory(
  env: TestWorkflowEnvironment,
  workflowId: string,
  name: string,
  runId?: string,
): Promise<void> {
  const dir = process.env.PEER_COMMS_RECORD_HISTORIES;
  if (!dir) return;
  const handle = env.client.workflow.getHandle(workflowId, runId);
  await handle.result().catch(() => undefined); // closed first: a replay needs the whole history
  const history = await handle.fetchHistory();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.json`), historyToJSON(history));
  // Workflows that derive names from their own id (a job's sends) replay only under that id.
  await writeFile(join(dir, `${name}.workflow-id`), `${workflowId}\n`);
}

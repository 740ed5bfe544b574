/**
 * `peer-comms worker --metrics 127.0.0.1:<port> --log-format json` against a real dev server: a
 * workflow runs on it, the Prometheus endpoint answers with the Temporal SDK's metrics (worker
 * start, workflow tasks, requests), and every line the worker wrote to stderr is one JSON object.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SendDirectiveInput } from '../../src/contracts/send';
import { sendDirective } from '../../src/workflows';
import { exited } from '../helpers/worker-spawn';
import { startDevEnv, uniqueQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { freePort } from '../helpers/ports';

const ROOT = join(__dirname, '..', '..');
const TSX = pathToFileURL(require.resolve('tsx', { paths: [ROOT] })).href;

let env: TestWorkflowEnvironment | undefined;
let dir: string | undefined;
let worker: ChildProcess | undefined;

before(async () => {
  env = await startDevEnv();
  dir = await mkdtemp(join(tmpdir(), 'pc-metrics-'));
});

after(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    worker.kill('SIGKILL');
    await exited(worker);
  }
  await env?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A port nobody listens on right now (the kernel's pick, released at once). */

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

void describe('worker metrics and json logs', () => {
  it('serves Temporal SDK metrics on --metrics and writes one JSON object per log line', async () => {
    if (!env || !dir) throw new Error('the dev server did not start');
    const taskQueue = uniqueQueue('metrics');
    const config = join(dir, 'peers.yaml');
    await writeFile(
      config,
      [
        'controller:',
        `  taskQueue: ${taskQueue}`,
        `  auditLog: ${join(dir, 'audit.jsonl')}`,
        'peers:',
        '  farpeer:',
        '    via: worker',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    let stderr = '';
    worker = spawn(
      process.execPath,
      [
        '--import',
        TSX,
        join(ROOT, 'src', 'cli', 'main.ts'),
        '--config',
        config,
        'worker',
        '--metrics',
        `127.0.0.1:${port}`,
        '--log-format',
        'json',
      ],
      {
        cwd: dir,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: env.address,
          TEMPORAL_NAMESPACE: env.namespace ?? 'default',
          PEER_COMMS_LOG_LEVEL: 'INFO',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    worker.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    await waitFor(() => /worker: 1 peer\(s\)/.test(stderr) || worker?.exitCode !== null, {
      timeoutMs: 180_000,
      what: 'the worker start line',
    });
    assert.equal(worker.exitCode, null, `the worker ended early:\n${stderr}`);

    // something for the worker to do: a send with no peer fails in its first workflow task
    await assert.rejects(
      env.client.workflow.execute(sendDirective, {
        args: [{} as SendDirectiveInput],
        taskQueue,
        workflowId: uniqueQueue('metrics-send'),
        workflowExecutionTimeout: '2 minutes',
      }),
      WorkflowFailedError,
    );

    const text = await waitFor(
      async () => {
        const t = await scrape(port);
        return /^temporal_workflow_task_execution_latency/m.test(t) && /^temporal_workflow_failed/m.test(t) && t;
      },
      { timeoutMs: 30_000, what: 'workflow task metrics on the scrape' },
    );
    for (const name of [
      'temporal_worker_start',
      'temporal_request',
      'temporal_workflow_task_execution_latency',
      'temporal_workflow_failed',
      'temporal_num_pollers',
    ]) {
      assert.match(text, new RegExp(`^${name}\\S*\\{[^}]*\\} \\d`, 'm'), `${name} in the scrape`);
    }
    assert.match(text, new RegExp(`task_queue="${taskQueue}"`));

    worker.kill('SIGTERM');
    await exited(worker);
    const lines = stderr.split('\n').filter((l) => l.trim() !== '');
    assert.ok(lines.length > 0);
    const entries = lines.map((l) => {
      assert.doesNotMatch(l, new RegExp(String.fromCharCode(27)), 'no ANSI');
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        assert.fail(`not a JSON line: ${l}`);
      }
    });
    for (const e of entries) {
      assert.equal(typeof e.time, 'string');
      assert.equal(typeof e.level, 'string');
      assert.equal(typeof e.message, 'string');
    }
    const start = entries.find((e) => /^worker: 1 peer\(s\)/.test(String(e.message)));
    assert.equal(start?.sdkComponent, 'peer-comms');
    assert.ok(
      entries.some((e) => typeof e.sdkComponent === 'string' && e.sdkComponent !== 'peer-comms'),
      'SDK entries carry their sdkComponent',
    );
  });
});

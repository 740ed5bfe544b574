/**
 * agentCommand with mocked activities on a real dev server: the pane lock is taken and
 * released, a busy agent is waited for, the command is typed once and its screen returned;
 * a bad command line fails InvalidInput before anything runs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { ErrorType } from '../../src/contracts/errors';
import { agentCommand } from '../../src/workflows/agent-command';
import { applicationFailureIn, devEnvPerFile, uniqueQueue, workflowBundle } from '../helpers/temporal';
import { mockActivities, screen, screens } from './mock-activities';
import type { MockOptions } from './mock-activities';

const theEnv = devEnvPerFile();

async function run(command: string, opts: Omit<MockOptions, 'client' | 'taskQueue'> = {}) {
  const e = theEnv();
  const taskQueue = uniqueQueue('cmd');
  const peer = uniqueQueue('peer');
  const mock = mockActivities({ ...opts, client: e.client, taskQueue });
  const worker = await Worker.create({
    connection: e.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: mock.activities,
  });
  const outcome = await worker.runUntil(async () => {
    const handle = await e.client.workflow.start(agentCommand, {
      taskQueue,
      workflowId: uniqueQueue(`command-${peer}`),
      args: [{ peer, command }],
    });
    try {
      return { result: await handle.result() };
    } catch (err) {
      return { err };
    }
  });
  return { ...outcome, mock, peer };
}

describe('agentCommand', () => {
  void test('waits out a busy agent, types the command once, returns the screen after it', async () => {
    const r = await run('/compact keep the test results', {
      overrides: { inspectScreen: screens(screen('working'), screen('idle')) },
    });
    assert.ok(r.result, String(r.err));
    assert.equal(r.result.outcome, 'done');
    assert.match(r.result.screen.tail, /compacted/);
    assert.deepEqual(
      r.mock.started().filter((n) => ['requestPaneLock', 'inspectScreen', 'typeCommand', 'submitCommand'].includes(n)),
      ['requestPaneLock', 'inspectScreen', 'inspectScreen', 'typeCommand', 'submitCommand'],
    );
    const typed = r.mock.calls.find((c) => c.name === 'typeCommand' && c.phase === 'start');
    assert.deepEqual(typed?.input, { peer: r.peer, command: '/compact keep the test results' });
  });

  void test('a command line that is not one fails InvalidInput and runs nothing', async () => {
    for (const bad of ['compact', '/Compact', '/compact\nsecond line', '/x\u001b[201~', '']) {
      const r = await run(bad);
      assert.ok(r.err instanceof WorkflowFailedError, `${JSON.stringify(bad)} should fail`);
      assert.equal(applicationFailureIn(r.err)?.type, ErrorType.InvalidInput, JSON.stringify(bad));
      assert.equal(r.mock.count('typeCommand'), 0);
    }
  });
});

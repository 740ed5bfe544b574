/**
 * Crash safety: a worker SIGKILLed right after deliver, and again right after submit, then
 * restarted. The agent must receive the text exactly once and be submitted exactly once.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSend } from '../../src/client/send';
import { addAgent, makeConfig, prompts, startStack, type AgentPeer, type Stack } from '../helpers/stack';
import { uniqueQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { WorkerProcesses, exited } from '../helpers/worker-spawn';

let stack: Stack;
const workers = new WorkerProcesses(() => stack);
before(async () => {
  stack = await startStack();
});
after(async () => {
  workers.killAll();
  await stack?.stop();
});

async function crashAndRecover(peer: AgentPeer, killAfter: 'deliver' | 'submit', text: string): Promise<void> {
  const configPath = join(stack.dir, `${peer.name}-config.json`);
  await writeFile(configPath, JSON.stringify(makeConfig(stack, [peer])));
  const taskQueue = uniqueQueue(`crash-${killAfter}`);
  const doomed = workers.start(configPath, taskQueue, killAfter);
  const handle = await startSend(stack.env.client, taskQueue, { peer: peer.name, text });
  assert.equal(await exited(doomed), 'SIGKILL', `the worker should have killed itself after ${killAfter}`);
  // the worker died before reporting: the text is on the screen (and submitted, for 'submit')
  const healthy = workers.start(configPath, taskQueue);
  try {
    const result = await handle.result();
    assert.equal(result.outcome, 'acked');
    await waitFor(async () => (await prompts(peer)).length > 0, { timeoutMs: 10_000, what: 'the prompt logged' });
    // exactly once: one prompt, byte-exact (a second paste would double the text or add a prompt)
    assert.deepEqual((await prompts(peer)).map(String), [text]);
    const history = await handle.fetchHistory();
    const failedOrTimedOut = (history.events ?? []).filter(
      (e) => e.activityTaskTimedOutEventAttributes || e.activityTaskFailedEventAttributes,
    );
    assert.equal(failedOrTimedOut.length, 0, 'the retried attempt succeeded within the same activity');
    const retried = (history.events ?? [])
      .map((e) => e.activityTaskStartedEventAttributes?.attempt)
      .filter((a): a is number => typeof a === 'number' && a > 1);
    assert.deepEqual(retried, [2], 'exactly one activity was retried');
    if (killAfter === 'deliver') {
      assert.match(
        result.steps.find((s) => s.step === 'deliver')?.detail ?? '',
        /already pasted by an earlier attempt/,
      );
    } else {
      // it knows: the agent's receipt says the earlier attempt's C-m went through
      assert.match(
        result.steps.find((s) => s.step === 'submit')?.detail ?? '',
        /already submitted: the agent has a receipt/,
      );
    }
  } finally {
    healthy.kill('SIGTERM');
    await exited(healthy);
  }
}

describe('crash safety', () => {
  it('worker killed right after deliver: text received and submitted exactly once', async () => {
    const peer = await addAgent(stack, { workMs: 2000 });
    await crashAndRecover(peer, 'deliver', 'killed after deliver\nsecond line with $(x) and `y`');
  });

  it('worker killed right after submit: text received and submitted exactly once', async () => {
    const peer = await addAgent(stack, { workMs: 2000 });
    await crashAndRecover(peer, 'submit', "killed after submit: it's fine");
  });
});

/**
 * Never a false failure after a crash: a worker SIGKILLed after the agent received the text
 * (right after C-m, or at a random instant while the ack step waits out its confirmation
 * window), then a healthy worker takes over. 20 trials with the stand-in, which records hook
 * receipts like Claude Code. Every trial must end `acked` (from the receipt) or `unconfirmed`,
 * never `failed`, and the agent must have received the text exactly once.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSend } from '../../src/client/send';
import type { SendResult } from '../../src/contracts/send';
import { addAgent, makeConfig, prompts, startStack, type Stack } from '../helpers/stack';
import { uniqueQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { WorkerProcesses, exited } from '../helpers/worker-spawn';

const TRIALS = 20;
const BATCH = 5;

let stack: Stack;
const workers = new WorkerProcesses(() => stack);
before(async () => {
  stack = await startStack();
});
after(async () => {
  workers.killAll();
  await stack?.stop();
});

interface Trial {
  n: number;
  killAt: string;
  outcome: string;
  source: string;
  prompts: number;
}

/** Deterministic "random" instants (a seeded LCG), so a failing trial can be run again as it was. */
function instants(n: number, seed = 20261130): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 50 + (x % 2500);
  });
}

async function trial(n: number, killAt: string): Promise<Trial> {
  const peer = await addAgent(stack, { workMs: 6000 });
  const configPath = join(stack.dir, `${peer.name}-config.json`);
  await writeFile(configPath, JSON.stringify(makeConfig(stack, [peer])));
  const taskQueue = uniqueQueue(`crash-receipt-${n}`);
  const text = `crash trial ${n} (${killAt}): line one\n\tline two with a TAB; C-m`;
  const doomed = workers.start(configPath, taskQueue, killAt);
  const handle = await startSend(stack.env.client, taskQueue, { peer: peer.name, text });
  assert.equal(await exited(doomed), 'SIGKILL', `trial ${n}: the worker should have killed itself (${killAt})`);
  await waitFor(async () => (await prompts(peer)).length > 0, { timeoutMs: 15_000, what: `trial ${n}: the prompt` });
  const healthy = workers.start(configPath, taskQueue);
  try {
    // never a failure: handle.result() throws for a failed send
    const result: SendResult = await handle.result();
    assert.ok(result.outcome === 'acked' || result.outcome === 'unconfirmed', `trial ${n}: outcome ${result.outcome}`);
    const got = await prompts(peer);
    assert.deepEqual(got.map(String), [text], `trial ${n}: the text arrived byte-exact`);
    assert.equal(got.length, 1, `trial ${n}: the agent received the text ${got.length} times`);
    return { n, killAt, outcome: result.outcome, source: result.ackSource, prompts: got.length };
  } finally {
    healthy.kill('SIGTERM');
    await exited(healthy);
  }
}

describe('crash after the agent received the text: never a false failure', () => {
  it(`${TRIALS} trials: acked from the receipt or unconfirmed, the text received exactly once`, async () => {
    const at = instants(TRIALS);
    const kills = at.map((ms, i) => (i % 4 === 0 ? 'submit' : `awaitAck@${ms}`));
    const results: Trial[] = [];
    for (let i = 0; i < TRIALS; i += BATCH) {
      results.push(...(await Promise.all(kills.slice(i, i + BATCH).map((k, j) => trial(i + j + 1, k)))));
    }
    const tally = (key: 'outcome' | 'source') =>
      results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r[key]]: (acc[r[key]] ?? 0) + 1 }), {});
    process.stdout.write(
      `crash-receipts: ${results.length} trials; outcomes ${JSON.stringify(tally('outcome'))}; sources ${JSON.stringify(tally('source'))}\n`,
    );
    assert.equal(results.length, TRIALS);
    assert.ok(results.every((r) => r.prompts === 1));
    // the agent's hook receipt survives the crash: the retried ack finds it
    assert.ok(
      results.filter((r) => r.outcome === 'acked' && r.source === 'hook').length >= TRIALS - 2,
      JSON.stringify(results),
    );
  });
});

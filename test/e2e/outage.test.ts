/**
 * Outages are normal: sshd (and every SSH connection) goes down for 20 s between the paste and
 * C-m, and, in another send, right before the paste. The send rides it out on durable timers,
 * shows the wait, and ends in one exact delivery: the text submitted once, nothing left in the
 * input box.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../src/activities';
import { startSend } from '../../src/client/send';
import { PeerShellPool } from '../../src/peer-access/pool';
import { realDeps } from '../../src/workers/controller';
import { peerConnector } from '../../src/workers/peer-shells';
import { classifyScreen } from '../../src/tmux/screen';
import { progressQuery } from '../../src/workflows/definitions';
import { addAgent, makeConfig, prompts, startStack, type Stack } from '../helpers/stack';
import { uniqueQueue, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const OUTAGE_MS = 20_000;

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

/**
 * A send whose worker takes sshd down for OUTAGE_MS at one point: 'after-paste' (deliver has
 * pasted, C-m not yet pressed) or 'before-paste' (deliver is about to run).
 */
async function sendThroughOutage(when: 'after-paste' | 'before-paste', text: string) {
  const peer = await addAgent(stack, { workMs: 2000 });
  const config = makeConfig(stack, [peer]);
  const taskQueue = uniqueQueue(`outage-${when}`);
  const pool = new PeerShellPool(peerConnector(config));
  const activities: Activities = createActivities(realDeps(config, pool, stack.env.client, taskQueue));
  let outages = 0;
  let back: Promise<void> | undefined;
  const outage = async (): Promise<void> => {
    if (outages++ > 0) return;
    await stack.sshd.down();
    back = delay(OUTAGE_MS).then(() => stack.sshd.up());
  };
  const deliver = activities.deliver;
  activities.deliver = async (input) => {
    if (when === 'before-paste') await outage();
    const r = await deliver(input);
    if (when === 'after-paste') await outage();
    return r;
  };
  const worker = await Worker.create({
    connection: stack.env.nativeConnection,
    namespace: stack.settings.namespace,
    taskQueue,
    activities,
    workflowBundle: await workflowBundle(),
  });
  const waits: string[] = [];
  try {
    const result = await worker.runUntil(async () => {
      const handle = await startSend(stack.env.client, taskQueue, { peer: peer.name, text });
      const watching = (async () => {
        for (;;) {
          const p = await handle.query(progressQuery).catch(() => undefined);
          if (p?.waitingFor && !waits.includes(p.waitingFor)) waits.push(p.waitingFor);
          if (!p || p.phase === 'finished') return;
          await delay(500);
        }
      })();
      const r = await handle.result();
      await watching;
      return r;
    });
    await back;
    return { peer, result, waits };
  } finally {
    await back;
    await pool.closeAll();
  }
}

describe('riding out an sshd outage', () => {
  for (const when of ['after-paste', 'before-paste'] as const) {
    it(`sshd down ${OUTAGE_MS / 1000} s ${when === 'after-paste' ? 'between the paste and C-m' : 'right before the paste'}: one exact delivery`, async () => {
      const text = `outage ${when}: the text must arrive once\nwith a second line; C-m and $(x)`;
      const { peer, result, waits } = await sendThroughOutage(when, text);
      assert.equal(result.outcome, 'acked');
      assert.equal(result.ackSource, 'hook');
      await waitFor(async () => (await prompts(peer)).length > 0, { timeoutMs: 10_000, what: 'the prompt' });
      assert.deepEqual((await prompts(peer)).map(String), [text], 'submitted exactly once, byte-exact');
      // the wait was shown live, and the send says what it rode out
      assert.ok(
        waits.some((w) => /unreachable during .*attempt \d+, next in .* of 10m/.test(w)),
        `no outage wait shown: ${JSON.stringify(waits)}`,
      );
      assert.ok(
        result.warnings.some((w) => /was unreachable for/.test(w)),
        JSON.stringify(result.warnings),
      );
      // nothing left in the input box
      const screen = classifyScreen(await stack.tmux.capture(`${peer.session}:0.0`));
      assert.equal(screen.input, '');
    });
  }
});

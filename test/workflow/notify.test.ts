/**
 * Who is told when a send or a job fails, on a real dev server with mocked activities: a send
 * of its own notifies its failure (child `<send id>-notify-failed`); a job's failed send is told
 * once, by the job (needs attention), not by the send as well; with no notifier for an event,
 * no notification workflow starts at all.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NotifyEventKind, NotifyInput } from '../../src/contracts/notify';
import { peerJob } from '../../src/workflows/peer-job';
import { sendDirective } from '../../src/workflows/send-directive';
import { devEnvPerFile, runWorkerUntil, uniqueQueue } from '../helpers/temporal';
import { mockActivities, screen } from './mock-activities';

const theEnv = devEnvPerFile();

/** A trust dialog on the agent's screen: the send fails (DialogOnScreen) without retrying. */
const dialog = async () => screen('dialog:trust', { evidence: 'Do you trust the files in this folder?' });

function harness(wants: NotifyEventKind[]) {
  const e = theEnv();
  const taskQueue = uniqueQueue('notify');
  const peer = uniqueQueue('peer');
  const told: NotifyInput[] = [];
  const mock = mockActivities({
    client: e.client,
    taskQueue,
    overrides: {
      inspectScreen: dialog,
      notifyTargets: async ({ event }) => (wants.includes(event) ? ['pager'] : []),
      notify: async (input) => {
        told.push(input);
        return 'delivered';
      },
    },
  });
  const run = <T>(fn: () => Promise<T>): Promise<T> => runWorkerUntil(e, taskQueue, mock.activities, fn);
  return { e, taskQueue, peer, told, run };
}

void describe('notifications of failures', () => {
  void test('a send of its own that fails is told once, with its error', async () => {
    const h = harness(['failed']);
    const workflowId = uniqueQueue(`send-${h.peer}`);
    await h.run(async () => {
      const send = await h.e.client.workflow.start(sendDirective, {
        taskQueue: h.taskQueue,
        workflowId,
        args: [{ peer: h.peer, text: 'Please run the unit tests.' }],
      });
      await assert.rejects(send.result());
      const child = h.e.client.workflow.getHandle(`${workflowId}-notify-failed`);
      assert.deepEqual(await child.result(), { delivered: ['pager'] });
    });
    assert.equal(h.told.length, 1);
    const [t] = h.told;
    assert.equal(t?.notifier, 'pager');
    assert.equal(t?.event.event, 'failed');
    assert.equal(t?.event.what, 'send');
    assert.equal(t?.event.workflowId, workflowId);
    assert.equal(t?.event.peer, h.peer);
    assert.match(t?.event.error ?? '', /trust/i);
  });

  void test("a job's failed send is told once, by the job; nothing starts for an event no notifier wants", async () => {
    const h = harness(['failed']);
    const jobId = uniqueQueue(`job-${h.peer}`);
    await h.run(async () => {
      const job = await h.e.client.workflow.start(peerJob, {
        taskQueue: h.taskQueue,
        workflowId: jobId,
        args: [{ peer: h.peer, directive: 'Run the unit tests.', jobFooter: false }],
      });
      const result = await job.result();
      assert.equal(result.state, 'needs-attention');
      const child = h.e.client.workflow.getHandle(`${jobId}-notify-failed`);
      assert.deepEqual(await child.result(), { delivered: ['pager'] });
      // the job's send did not tell anyone itself
      await assert.rejects(h.e.client.workflow.getHandle(`${jobId}-send-1-notify-failed`).describe(), /not found/i);
    });
    assert.deepEqual(
      h.told.map((t) => [t.event.event, t.event.what, t.event.workflowId]),
      [['failed', 'job', jobId]],
    );
    assert.match(h.told[0]?.event.error ?? '', new RegExp(`the send ${jobId}-send-1 failed`));

    const quiet = harness([]);
    const quietId = uniqueQueue(`send-${quiet.peer}`);
    await quiet.run(async () => {
      const send = await quiet.e.client.workflow.start(sendDirective, {
        taskQueue: quiet.taskQueue,
        workflowId: quietId,
        args: [{ peer: quiet.peer, text: 'Please run the unit tests.' }],
      });
      await assert.rejects(send.result());
    });
    await assert.rejects(quiet.e.client.workflow.getHandle(`${quietId}-notify-failed`).describe(), /not found/i);
    assert.equal(quiet.told.length, 0);
  });
});

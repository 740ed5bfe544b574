/**
 * The input gate inside the workflows (starts from the Web UI or the `temporal` CLI skip the
 * peer-comms CLI): sendDirective and peerJob refuse every class with a non-retryable
 * InvalidInput carrying the gate's own message, before any activity runs; sendDirective
 * delivers the normalised text; and the largest text the gate admits, in its worst case for
 * JSON, fits through Temporal's payload limit.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { DeliverInput } from '../../src/activities/deliver';
import { ErrorType } from '../../src/contracts/errors';
import type { SendDirectiveInput } from '../../src/contracts/send';
import { MAX_TEXT_BYTES, formatRefusal, gateText } from '../../src/contracts/text-gate';
import { sendDirective } from '../../src/workflows/send-directive';
import { devEnvPerFile, runWorkerUntil, uniqueQueue, workflowFailure } from '../helpers/temporal';
import { mockActivities, sha256Hex } from './mock-activities';

const theEnv = devEnvPerFile();

async function failureOf(handle: WorkflowHandle): Promise<{ type?: string; message: string; nonRetryable: boolean }> {
  const f = await workflowFailure(handle.result());
  return { type: f.type ?? undefined, message: f.message, nonRetryable: f.nonRetryable === true };
}

function setup() {
  const e = theEnv();
  const taskQueue = uniqueQueue('gate');
  const peer = uniqueQueue('peer');
  const mock = mockActivities({ client: e.client, taskQueue });
  const start = (input: Partial<SendDirectiveInput>) =>
    e.client.workflow.start(sendDirective, {
      taskQueue,
      workflowId: uniqueQueue(`gate-${peer}`),
      args: [{ peer, text: 'x', ...input }],
    });
  const run = <T>(fn: () => Promise<T>): Promise<T> => runWorkerUntil(e, taskQueue, mock.activities, fn);
  return { e, taskQueue, peer, mock, start, run };
}

const HOSTILE = [
  '',
  ' \n\t ',
  'nul\0byte',
  'paste ends\x1b[201~\r/exit\r',
  'mode\x1b[Z',
  'quit\x03\x03',
  'del\x7f',
  'c1\u009b2J',
  'lone \uD800 surrogate',
  '!rm -rf ~',
  '\n   /exit',
  'a'.repeat(MAX_TEXT_BYTES + 1),
];

void describe('the input gate in the workflows', () => {
  void test('sendDirective: every refused class fails InvalidInput (non-retryable, the gate message), no activity runs', async () => {
    const h = setup();
    await h.run(async () => {
      for (const text of HOSTILE) {
        const f = await failureOf(await h.start({ text, mode: 'heavy' }));
        const gate = gateText(text);
        assert.ok(!gate.ok);
        assert.equal(f.type, ErrorType.InvalidInput, f.message);
        assert.equal(f.nonRetryable, true);
        assert.equal(f.message, formatRefusal(gate));
      }
    });
    assert.deepEqual(h.mock.calls, []);
  });

  void test('sendDirective delivers the normalised text: CRLF and lone CR as LF, no BOM', async () => {
    const h = setup();
    const raw = '\uFEFFline one\r\nline two\rline three\n';
    const want = 'line one\nline two\nline three\n';
    const result = await h.run(async () => (await h.start({ text: raw })).result());
    assert.equal(result.outcome, 'acked');
    const delivered = h.mock.calls.find((c) => c.name === 'deliver' && c.phase === 'start')?.input as
      DeliverInput | undefined;
    assert.equal(delivered?.text, want);
    assert.equal(result.sha256, sha256Hex(want));
    assert.equal(result.bytes, Buffer.byteLength(want));
  });

  void test('the largest text the gate admits, all quotes (JSON doubles it), goes through Temporal and is delivered', async () => {
    const h = setup();
    const text = `Q${'"'.repeat(MAX_TEXT_BYTES - 1)}`;
    const result = await h.run(async () => (await h.start({ text })).result());
    assert.equal(result.outcome, 'acked');
    assert.equal(result.bytes, MAX_TEXT_BYTES);
    assert.equal(result.sha256, sha256Hex(text));
  });

  void test('peerJob: a directive the gate refuses fails InvalidInput with the gate message', async () => {
    const h = setup();
    await h.run(async () => {
      for (const directive of ['# Goal\nrun \x1b[201~ this', '!sh -c x', '']) {
        const handle = await h.e.client.workflow.start('peerJob', {
          taskQueue: h.taskQueue,
          workflowId: uniqueQueue(`job-${h.peer}`),
          args: [{ peer: h.peer, directive }],
        });
        const f = await failureOf(handle);
        const gate = gateText(directive, { what: 'the directive' });
        assert.ok(!gate.ok);
        assert.equal(f.type, ErrorType.InvalidInput);
        assert.equal(f.message, formatRefusal(gate));
      }
    });
    assert.deepEqual(h.mock.calls, []);
  });
});

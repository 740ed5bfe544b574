/**
 * sendDirective on a real Temporal dev server with mocked activities: every branch of the
 * send (refresh, recovery, screen checks, busy waiting, retries, input validation) and the
 * pane lock serialising two sends to one peer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { stepLine } from '../../src/cli/render';
import type { AuditRecord } from '../../src/contracts/audit';
import { ErrorType } from '../../src/contracts/errors';
import type { SendDirectiveInput, SendProgress, StepName } from '../../src/contracts/send';
import { lockStateQuery, progressQuery } from '../../src/workflows/definitions';
import { paneLockId } from '../../src/workflows/pane-lock';
import { sendDirective } from '../../src/workflows/send-directive';
import { devEnvPerFile, runWorkerUntil, uniqueQueue, workflowFailure } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import {
  Gate,
  ackResult,
  callerWorkflowId,
  mockActivities,
  preflightReport,
  screen,
  screens,
  sha256Hex,
} from './mock-activities';
import type { MockActivities, MockOptions } from './mock-activities';

const theEnv = devEnvPerFile();

interface Harness {
  peer: string;
  taskQueue: string;
  mock: MockActivities;
  start(input?: Partial<SendDirectiveInput>, idPrefix?: string): Promise<WorkflowHandle<typeof sendDirective>>;
  /** Runs `fn` while a fresh worker serves this test's task queue. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/** A per-test harness: unique peer and task queue, mocked activities, a fresh worker. */
function harness(opts: Omit<MockOptions, 'client' | 'taskQueue'> = {}): Harness {
  const e = theEnv();
  const taskQueue = uniqueQueue('send');
  const peer = uniqueQueue('peer');
  const mock = mockActivities({ ...opts, client: e.client, taskQueue });
  return {
    peer,
    taskQueue,
    mock,
    start: (input = {}, idPrefix = 'send') =>
      e.client.workflow.start(sendDirective, {
        taskQueue,
        workflowId: uniqueQueue(`${idPrefix}-${peer}`),
        args: [{ peer, text: 'Please run the unit tests and report.', ...input }],
      }),
    run: (fn) => runWorkerUntil(e, taskQueue, mock.activities, fn),
  };
}

/** Asserts the workflow failed with an ApplicationFailure of this type (anywhere in the cause chain). */
async function assertFailsWith(handle: WorkflowHandle, type: string): Promise<ApplicationFailure> {
  const failure = await workflowFailure(handle.result());
  assert.equal(failure.type, type, failure.message);
  return failure;
}

const AUDIT_KEYS = new Set<keyof AuditRecord>([
  'time',
  'peer',
  'workflowId',
  'runId',
  'requestedBy',
  'path',
  'bytes',
  'sha256',
  'outcome',
  'error',
  'extraEnters',
  'credentials',
  'recovered',
  'ackSource',
  'receipt',
  'turn',
  'steps',
]);

/** The audit line holds only the known fields, never the text itself nor anything secret-looking. */
function assertAuditClean(record: AuditRecord, text: string, secrets: string[] = []): void {
  for (const key of Object.keys(record)) {
    assert.ok(AUDIT_KEYS.has(key as keyof AuditRecord), `unexpected audit field ${key}`);
  }
  const json = JSON.stringify(record);
  assert.ok(!json.includes(text), 'the audit line holds the directive text');
  assert.doesNotMatch(json, /sk-ant-|accessToken|refreshToken|"token"/i);
  for (const s of secrets) assert.ok(!json.includes(s), 'the audit line holds a secret');
}

/** Every string in a value, payload bytes decoded as UTF-8 (history payloads are bytes, not text). */
function decodedText(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (v instanceof Uint8Array) out.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out.join('\n');
}

const stepNames = (steps: { step: StepName }[]) => steps.map((s) => s.step);

void describe('sendDirective', () => {
  void test('happy path: steps in order, acked, refresh and recovery skipped, clean audit line', async () => {
    const h = harness();
    const text = 'Please run the unit tests and report.';
    const result = await h.run(async () => {
      const handle = await h.start({ text, requestedBy: 'tester@controller' });
      return handle.result();
    });

    assert.equal(result.outcome, 'acked');
    assert.equal(result.path, 'light');
    assert.equal(result.sha256, sha256Hex(text));
    assert.equal(result.bytes, Buffer.byteLength(text));
    assert.deepEqual(stepNames(result.steps), [
      'preflight',
      'paneLock',
      'refreshCredentials',
      'recoverSession',
      'inspectScreen',
      'deliver',
      'submit',
      'awaitAck',
      'audit',
    ]);
    const status = Object.fromEntries(result.steps.map((s) => [s.step, s.status]));
    assert.equal(status.refreshCredentials, 'skipped');
    assert.equal(status.recoverSession, 'skipped');
    for (const s of result.steps.filter((x) => x.status !== 'skipped')) assert.equal(s.status, 'done', s.step);
    // the lock request runs beside routing and preflight, cleanup beside audit: order within each group is free
    const started = h.mock.started();
    assert.deepEqual([...started.slice(0, 3)].sort(), ['preflight', 'requestPaneLock', 'routePeer']);
    assert.ok(started.indexOf('routePeer') < started.indexOf('preflight'), 'routed before the first peer step');
    assert.deepEqual(started.slice(3, 7), ['inspectScreen', 'deliver', 'submit', 'awaitAck']);
    assert.deepEqual([...started.slice(7)].sort(), ['audit', 'cleanupDelivery']);

    assert.equal(h.mock.audits.length, 1);
    const rec = h.mock.audits[0]!;
    assert.equal(rec.outcome, 'acked');
    assert.equal(rec.sha256, sha256Hex(text));
    assert.equal(rec.bytes, Buffer.byteLength(text));
    assert.equal(rec.peer, h.peer);
    assert.equal(rec.workflowId, result.workflowId);
    assert.equal(rec.requestedBy, 'tester@controller');
    assert.equal(rec.recovered, false);
    assert.equal(rec.error, undefined);
    assert.ok(!rec.steps.some((s) => s.step === 'audit'));
    assertAuditClean(rec, text);
  });

  void test('refreshDue: credentials are pushed, the token never reaches the audit line or history', async () => {
    const token = 'sk-ant-oat01-FAKEFAKEFAKEFAKEFAKE';
    const h = harness({
      report: { credentials: { refreshDue: true, expiresAt: Date.now() + 60_000 } },
      overrides: {
        refreshCredentials: async () => {
          // The real activity reads and writes the token itself; only metadata leaves it.
          const secret = token;
          return {
            action: 'pushed',
            reason: `pushed ${secret.length} bytes`,
            peerExpiresAtBefore: Date.now() + 60_000,
            peerExpiresAtAfter: Date.now() + 8 * 3600_000,
            controllerExpiresAt: Date.now() + 8 * 3600_000,
          };
        },
      },
    });
    const { result, history } = await h.run(async () => {
      const handle = await h.start();
      const result = await handle.result();
      return { result, history: await handle.fetchHistory() };
    });
    assert.equal(result.outcome, 'acked');
    assert.equal(h.mock.count('refreshCredentials'), 1);
    assert.ok(h.mock.started().indexOf('refreshCredentials') < h.mock.started().indexOf('deliver'));
    const step = result.steps.find((s) => s.step === 'refreshCredentials');
    assert.equal(step?.status, 'done');
    assert.match(step?.detail ?? '', /^pushed/);
    const rec = h.mock.audits[0]!;
    assert.equal(rec.credentials, 'pushed');
    assertAuditClean(rec, 'Please run the unit tests', [token]);
    const historyText = decodedText(history);
    assert.ok(historyText.includes('Please run the unit tests'), 'history payloads were not decoded');
    assert.ok(!historyText.includes(token), 'the token is in the workflow history');
  });

  void test('dead session: recoverSession runs before deliver', async () => {
    const h = harness({ report: { session: { alive: false } } });
    const result = await h.run(async () => (await h.start()).result());
    assert.equal(result.outcome, 'acked');
    const order = h.mock.started();
    assert.equal(h.mock.count('recoverSession'), 1);
    assert.ok(order.indexOf('recoverSession') < order.indexOf('inspectScreen'));
    assert.ok(order.indexOf('recoverSession') < order.indexOf('deliver'));
    assert.equal(result.steps.find((s) => s.step === 'recoverSession')?.status, 'done');
    assert.equal(h.mock.audits[0]?.recovered, true);
  });

  void test('dialog on screen: fails non-retryably with DialogOnScreen, nothing typed', async () => {
    const h = harness({
      overrides: {
        inspectScreen: screens(screen('dialog:trust', { evidence: 'Do you trust the files in this folder?' })),
      },
    });
    const failure = await h.run(async () => assertFailsWith(await h.start(), ErrorType.DialogOnScreen));
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /trust dialog/);
    assert.equal(h.mock.count('deliver'), 0);
    assert.equal(h.mock.count('submit'), 0);
    assert.equal(h.mock.count('inspectScreen'), 1);
    const rec = h.mock.audits[0]!;
    assert.equal(rec.outcome, 'failed');
    assert.equal(rec.error?.type, ErrorType.DialogOnScreen);
  });

  void test('a pane request that fails for good fails the send readably (not its workflow tasks), after preflight', async () => {
    const h = harness({
      overrides: {
        requestPaneLock: async () => {
          throw ApplicationFailure.nonRetryable('the lock could not be asked', 'LockUnreachable');
        },
      },
    });
    const failure = await h.run(async () => assertFailsWith(await h.start(), 'LockUnreachable'));
    assert.match(failure.message, /could not be asked/);
    assert.equal(h.mock.count('deliver'), 0);
    assert.equal(h.mock.audits[0]?.outcome, 'failed');
  });

  void test('error screen: a busy error is waited for; a settled error other than 401 does not block the next turn', async () => {
    const h = harness({
      overrides: {
        inspectScreen: screens(
          screen('error:api', { busy: true, evidence: '✻ API error · retrying in 1s · attempt 1/10' }),
          screen('error:rate_limit', { evidence: '● API Error: Request rejected (429)' }),
        ),
      },
    });
    const result = await h.run(async () => (await h.start()).result());
    assert.equal(result.outcome, 'acked');
    assert.equal(h.mock.count('deliver'), 1);
    assert.ok(
      result.steps.some((st) => st.step === 'waitIdle'),
      'the retrying error was waited out',
    );
  });

  void test('a 401 turn: credentials pushed, restart keeping the conversation, delivered again once; a second 401 fails naming the controller login', async () => {
    const turn401 = () =>
      ApplicationFailure.nonRetryable('the agent shows error:oauth', ErrorType.AgentError, {
        agentError: 'authentication_failed',
        received: true,
        words: '401 OAuth token has expired · retrying in 3s',
        state: 'error:oauth',
      });
    const h = harness({
      overrides: {
        // the restarted agent shows the old conversation, its 401 error above an empty box
        inspectScreen: screens(
          screen('idle'),
          screen('error:oauth', { evidence: 'Please run /login · API Error: 401' }),
        ),
        awaitAck: async () => {
          throw turn401();
        },
      },
    });
    const failure = await h.run(async () => assertFailsWith(await h.start(), ErrorType.AgentError));
    assert.match(failure.message, /controller's own token is refused too.*claude \/login/);
    assert.equal(h.mock.count('deliver'), 2, 'delivered again once after the restart, not more');
    assert.equal(h.mock.count('recoverSession'), 1);
    const restart = h.mock.calls.find((c) => c.name === 'recoverSession' && c.phase === 'start');
    assert.deepEqual(restart?.input, { peer: h.peer, restart: true, continueConversation: true });
    const delivered = h.mock.calls.filter((c) => c.name === 'deliver' && c.phase === 'start').map((c) => c.input);
    assert.notEqual(
      (delivered[0] as { deliveryId: string }).deliveryId,
      (delivered[1] as { deliveryId: string }).deliveryId,
    );
  });

  void test('an ack step that removed the delivery buffers leaves no cleanup activity; one that did not, the cleanup as before', async () => {
    for (const removes of [true, false]) {
      const h = harness({
        overrides: {
          awaitAck: async (input) => ({
            ...ackResult(input),
            ...(removes && input.deliveryId ? { buffersRemoved: input.deliveryId } : {}),
          }),
        },
      });
      const result = await h.run(async () => (await h.start()).result());
      assert.equal(result.outcome, 'acked');
      const ack = h.mock.calls.find((c) => c.name === 'awaitAck' && c.phase === 'start');
      const deliver = h.mock.calls.find((c) => c.name === 'deliver' && c.phase === 'start');
      const id = (deliver?.input as { deliveryId?: string } | undefined)?.deliveryId;
      assert.ok(id, 'deliver was given a delivery id');
      assert.equal((ack?.input as { deliveryId?: string } | undefined)?.deliveryId, id, 'awaitAck names the delivery');
      assert.equal(h.mock.started().includes('cleanupDelivery'), !removes, `removed by the ack step: ${removes}`);
    }
  });

  void test('a rate-limited turn: a durable wait, then delivered again and acked; overloaded: backoff, then acked', async () => {
    for (const agentError of ['rate_limit', 'overloaded']) {
      let calls = 0;
      const h = harness({
        overrides: {
          awaitAck: async (input) => {
            if (calls++ === 0) {
              throw ApplicationFailure.nonRetryable(`turn failed: ${agentError}`, ErrorType.AgentError, {
                agentError,
                received: true,
                words: 'API Error: Request rejected (429)',
              });
            }
            return ackResult(input);
          },
        },
      });
      const result = await h.run(async () => (await h.start()).result());
      assert.equal(result.outcome, 'acked', agentError);
      assert.equal(result.redeliveries, 1);
      assert.equal(h.mock.count('deliver'), 2);
      const waited = result.steps.find(
        (st) => st.step === (agentError === 'rate_limit' ? 'waitRateLimit' : 'retryTurn'),
      );
      assert.equal(waited?.status, 'done', agentError);
    }
  });

  void test("a turn failing with an error no recovery fixes: failed with the agent's words, delivered once", async () => {
    const h = harness({
      overrides: {
        awaitAck: async () => {
          throw ApplicationFailure.nonRetryable('turn failed', ErrorType.AgentError, {
            agentError: 'invalid_request',
            received: true,
            words: 'API Error: 400 prompt is too long',
          });
        },
      },
    });
    const failure = await h.run(async () => assertFailsWith(await h.start(), ErrorType.AgentError));
    assert.match(failure.message, /received the text but its turn failed: invalid_request.*prompt is too long/);
    assert.equal(h.mock.count('deliver'), 1);
    assert.equal(h.mock.audits[0]?.error?.type, ErrorType.AgentError);
  });

  void test('unconfirmed: nothing could tell; the outcome says so, it is not a failure', async () => {
    const h = harness({
      overrides: {
        awaitAck: async (input) => ({
          ...ackResult(input),
          outcome: 'unconfirmed',
          ackSource: 'hook',
          turn: 'unknown',
          receipt: undefined,
          evidence: 'no receipt',
        }),
      },
    });
    const result = await h.run(async () => (await h.start()).result());
    assert.equal(result.outcome, 'unconfirmed');
    assert.equal(h.mock.audits[0]?.outcome, 'unconfirmed');
  });

  void test("input box holding someone's text: fails with InputOccupied", async () => {
    const h = harness({
      overrides: { inspectScreen: screens(screen('idle', { input: 'half-typed note from a person' })) },
    });
    const failure = await h.run(async () => assertFailsWith(await h.start(), ErrorType.InputOccupied));
    assert.match(failure.message, /half-typed note/);
    assert.equal(h.mock.count('deliver'), 0);
  });

  void test('busy agent: waits (progress shows waitingFor), then delivers and acks', async () => {
    const h = harness({ overrides: { inspectScreen: screens(screen('working'), screen('working'), screen('idle')) } });
    const { result, seen } = await h.run(async () => {
      const handle = await h.start();
      const seen = await waitFor(
        async () => {
          const p = await handle.query(progressQuery);
          return p.phase === 'waitIdle' && p.waitingFor ? p : undefined;
        },
        { timeoutMs: 10_000, what: 'the send to report it waits for a busy agent' },
      );
      return { result: await handle.result(), seen };
    });
    assert.match(seen.waitingFor ?? '', /busy/);
    assert.equal(h.mock.count('deliver', seen.workflowId), 1, 'not delivered while waiting');
    assert.equal(result.outcome, 'acked');
    assert.equal(h.mock.count('inspectScreen'), 3);
    assert.ok(stepNames(result.steps).includes('waitIdle'));
    assert.ok(stepNames(result.steps).indexOf('waitIdle') < stepNames(result.steps).indexOf('deliver'));
    const ack = h.mock.calls.find((c) => c.name === 'awaitAck' && c.phase === 'start');
    assert.equal((ack?.input as { queue: boolean }).queue, false);
  });

  void test('busy agent with queue: true: no waiting, awaitAck asked to accept a queued message', async () => {
    const h = harness({ overrides: { inspectScreen: screens(screen('working')) } });
    const result = await h.run(async () => (await h.start({ queue: true })).result());
    assert.equal(result.outcome, 'queued');
    assert.equal(h.mock.count('inspectScreen'), 1);
    assert.ok(!stepNames(result.steps).includes('waitIdle'));
    const ack = h.mock.calls.find((c) => c.name === 'awaitAck' && c.phase === 'start');
    assert.equal((ack?.input as { queue: boolean }).queue, true);
    assert.equal(h.mock.audits[0]?.outcome, 'queued');
  });

  void test('busy beyond busyWaitMs: fails with BusyTimeout, nothing delivered', async () => {
    const h = harness({
      report: { settings: { busyWaitMs: 500 } },
      overrides: { inspectScreen: screens(screen('working')) },
    });
    const failure = await h.run(async () => assertFailsWith(await h.start(), ErrorType.BusyTimeout));
    assert.match(failure.message, /--queue/);
    assert.equal(h.mock.count('deliver'), 0);
    assert.ok(h.mock.count('inspectScreen') >= 2);
    assert.equal(h.mock.audits[0]?.error?.type, ErrorType.BusyTimeout);
  });

  void test('invalid input fails with InvalidInput before any activity runs', async () => {
    const h = harness();
    const cases: Partial<SendDirectiveInput>[] = [
      { text: '' },
      { text: '   \n ' },
      { peer: 'bad peer!' },
      { peer: '-starts-with-dash' },
      { mode: 'light', text: 'line one\nline two' },
      { text: 'nul\0byte', mode: 'heavy' },
    ];
    await h.run(async () => {
      for (const input of cases) {
        const failure = await assertFailsWith(await h.start(input), ErrorType.InvalidInput);
        assert.equal(failure.nonRetryable, true, JSON.stringify(input));
      }
    });
    assert.deepEqual(h.mock.calls, []);
  });

  void test('deliver failing every time: fails after the retry policy, audits failed, releases the lock', async () => {
    const h = harness({
      overrides: {
        deliver: async () => {
          throw ApplicationFailure.retryable('paste-buffer failed: no such pane', ErrorType.PeerCommandFailed);
        },
      },
    });
    const lockState = await h.run(async () => {
      const handle = await h.start();
      const failure = await assertFailsWith(handle, ErrorType.PeerCommandFailed);
      assert.match(failure.message, /no such pane/);
      const lock = theEnv().client.workflow.getHandle(paneLockId(h.peer));
      return waitFor(
        async () => {
          const s = await lock.query(lockStateQuery);
          return s.holder === null ? s : undefined;
        },
        { timeoutMs: 5000, what: 'the pane lock to have no holder' },
      );
    });
    assert.equal(h.mock.count('deliver'), 5, 'the delivery retry policy allows 5 attempts');
    const { holder, waiting, grants } = lockState;
    assert.deepEqual({ holder, waiting, grants }, { holder: null, waiting: [], grants: 1 });
    assert.equal(h.mock.count('submit'), 0);
    const rec = h.mock.audits[0]!;
    assert.equal(rec.outcome, 'failed');
    assert.equal(rec.error?.type, ErrorType.PeerCommandFailed);
    assert.equal(rec.sha256, undefined, 'nothing was delivered');
    assert.equal(rec.steps.find((s) => s.step === 'deliver')?.status, 'failed');
  });

  void test('two sends to one peer: the second waits on the pane lock, deliveries never interleave', async () => {
    const gate = new Gate();
    let firstId = '';
    const h = harness({
      overrides: {
        awaitAck: async (input) => {
          if (callerWorkflowId() === firstId) await gate.wait();
          return ackResult(input);
        },
      },
    });
    const { a, b, waitingB, lockWhileBlocked } = await h.run(async () => {
      const first = await h.start({ text: 'first directive' }, 'a');
      firstId = first.workflowId;
      await waitFor(() => h.mock.calls.some((c) => c.name === 'awaitAck' && c.workflowId === firstId), {
        timeoutMs: 10_000,
        what: 'the first send to reach awaitAck',
      });
      const second = await h.start({ text: 'second directive' }, 'b');
      const waitingB: SendProgress = await waitFor(
        async () => {
          const p = await second.query(progressQuery);
          return p.phase === 'paneLock' && p.waitingFor ? p : undefined;
        },
        { timeoutMs: 10_000, what: 'the second send to wait on the pane lock' },
      );
      const lock = theEnv().client.workflow.getHandle(paneLockId(h.peer));
      const lockWhileBlocked = await lock.query(lockStateQuery);
      gate.release();
      return { a: await first.result(), b: await second.result(), waitingB, lockWhileBlocked };
    });

    assert.match(waitingB.waitingFor ?? '', /holds the pane/);
    assert.equal(waitingB.steps.find((s) => s.step === 'paneLock')?.status, 'waiting');
    assert.equal(lockWhileBlocked.holder, a.workflowId);
    assert.deepEqual(lockWhileBlocked.waiting, [b.workflowId]);
    assert.equal(a.outcome, 'acked');
    assert.equal(b.outcome, 'acked');

    // The pane is used by one send at a time: A's deliver, submit and ack all end before B's deliver starts.
    const events = h.mock.calls
      .filter((c) => ['deliver', 'submit', 'awaitAck'].includes(c.name))
      .map((c) => `${c.workflowId === a.workflowId ? 'A' : 'B'}:${c.name}:${c.phase}`);
    assert.deepEqual(events, [
      'A:deliver:start',
      'A:deliver:end',
      'A:submit:start',
      'A:submit:end',
      'A:awaitAck:start',
      'A:awaitAck:end',
      'B:deliver:start',
      'B:deliver:end',
      'B:submit:start',
      'B:submit:end',
      'B:awaitAck:start',
      'B:awaitAck:end',
    ]);
  });

  void test('after waiting for a busy agent, the inspectScreen step is closed too', async () => {
    const h = harness({ overrides: { inspectScreen: screens(screen('working'), screen('idle')) } });
    const result = await h.run(async () => (await h.start()).result());
    const inspect = result.steps.find((s) => s.step === 'inspectScreen');
    assert.equal(inspect?.status, 'done');
    assert.notEqual(inspect?.endedAt, undefined);
  });

  void test('a worker peer whose worker never polls: the wait is shown, then NoPeerWorker after the pickup deadline', async () => {
    const nobody = uniqueQueue('nobody');
    const h = harness({
      overrides: {
        routePeer: async ({ peer }) => ({
          peer,
          via: 'worker' as const,
          taskQueue: nobody,
          pickupTimeoutMs: 6000,
          credentialPush: 'unavailable' as const,
        }),
      },
    });
    await h.run(async () => {
      const handle = await h.start();
      const waiting = await waitFor(async () => (await handle.query(progressQuery)).waitingFor, {
        timeoutMs: 10_000,
        what: 'the pickup wait to show',
      });
      assert.match(waiting, new RegExp(`^no worker polling ${nobody}: start it on ${h.peer}`));
      const f = await assertFailsWith(handle, 'NoPeerWorker');
      assert.match(
        f.message,
        new RegExp(`no worker picked up the work on ${nobody} within 6 s; start the peer worker`),
      );
      const p = await handle.query(progressQuery);
      assert.equal(p.waitingFor, undefined);
      assert.equal(p.steps.find((x) => x.step === 'preflight')?.status, 'failed');
    });
    assert.equal(h.mock.count('preflight'), 0, 'nothing ran on the peer');
    assert.equal(h.mock.audits[0]?.error?.type, 'NoPeerWorker');
  });

  void test('GPU-heavy work: refused on a hot GPU or an unreadable nvidia-smi; drift is only a warning', async () => {
    const hot = harness({
      report: {
        gpus: [{ index: 0, temperatureC: 90, powerDrawW: 300, powerLimitW: 450, memoryUsedMiB: 1 }],
        gpuCheck: { hot: [{ index: 0, temperatureC: 90, abortTempC: 88 }], drift: [] },
      },
    });
    await hot.run(async () => {
      const f = await assertFailsWith(await hot.start({ workload: 'gpu' }), 'GpuTooHot');
      assert.match(f.message, /GPU 0 is at 90 °C \(abort at 88 °C\)/);
      assert.equal((await (await hot.start({ workload: 'cpu' })).result()).outcome, 'acked', 'cpu work still goes');
    });
    assert.equal(hot.mock.count('deliver'), 1);

    const broken = harness({ report: { gpus: [], gpuProblem: 'nvidia-smi failed (exit 9): NVIDIA-SMI has failed' } });
    await broken.run(async () => {
      const f = await assertFailsWith(await broken.start({ workload: 'gpu' }), 'GpuStateUnknown');
      assert.match(f.message, /the GPU state cannot be read \(nvidia-smi failed \(exit 9\)/);
    });
  });

  void test('a rental peer: waits while the load is high (shown in progress), then sends; workload none does not wait', async () => {
    let load = 6;
    const h = harness({
      report: {
        loadAverage: [6, 5, 4],
        settings: { rental: { maxLoadAverage: 3, maxWaitMs: 60_000, checkEveryMs: 1000 } },
      },
      overrides: { readLoad: async () => ({ load1: load, raw: `${load}` }) },
    });
    await h.run(async () => {
      const handle = await h.start();
      const waiting = await waitFor(async () => (await handle.query(progressQuery)).waitingFor, {
        timeoutMs: 10_000,
        what: 'the load wait',
      });
      assert.match(waiting, /is a rental peer: load average 6 is above 3; waited 0 s of 60 s/);
      assert.equal(h.mock.count('deliver'), 0);
      load = 1.5;
      const r = await handle.result();
      assert.equal(r.outcome, 'acked');
      assert.match(r.steps.find((x) => x.step === 'waitLoad')?.detail ?? '', /^load average 1.5 after \d+ s$/);
      const note = await (await h.start({ workload: 'none' })).result();
      assert.equal(
        note.steps.find((x) => x.step === 'waitLoad'),
        undefined,
      );
    });
  });
});

void describe('sendDirective: the paneLock step shows what happened to the lock', () => {
  const HOT = {
    gpus: [{ index: 0, temperatureC: 90, powerDrawW: 300, powerLimitW: 450, memoryUsedMiB: 1 }],
    gpuCheck: { hot: [{ index: 0, temperatureC: 90, abortTempC: 88 }], drift: [] },
  };

  void test('a send refused by the GPU check after the lock was granted: ✓ paneLock, timed from request to grant', async () => {
    const preflightGate = new Gate();
    const h = harness({
      report: HOT,
      overrides: {
        // A slow preflight: the lock is granted while it runs.
        preflight: async ({ peer }) => {
          await preflightGate.wait();
          return preflightReport(peer, HOT);
        },
      },
    });
    const progress = await h.run(async () => {
      const handle = await h.start({ workload: 'gpu' });
      const granted = await waitFor(
        async () => {
          const p = await handle.query(progressQuery);
          return p.steps.find((s) => s.step === 'paneLock')?.status === 'done' ? p : undefined;
        },
        { timeoutMs: 10_000, what: 'the lock to be granted during preflight' },
      );
      assert.equal(granted.steps.find((s) => s.step === 'preflight')?.status, 'running', 'preflight still runs');
      preflightGate.release();
      await assertFailsWith(handle, 'GpuTooHot');
      return handle.query(progressQuery);
    });
    const lock = progress.steps.find((s) => s.step === 'paneLock');
    const preflight = progress.steps.find((s) => s.step === 'preflight');
    assert.equal(lock?.status, 'done', JSON.stringify(progress.steps));
    assert.equal(lock?.detail, 'granted');
    assert.ok(lock.endedAt !== undefined && preflight?.endedAt !== undefined);
    assert.ok(lock.endedAt <= preflight.endedAt, 'the lock time ends at the grant, not after preflight');
    assert.ok(lock.startedAt <= lock.endedAt);
    assert.match(stepLine(lock), /^ {2}✓ paneLock\b.*granted$/);
    assert.equal(h.mock.count('deliver'), 0);
  });

  void test('a send refused while still queued for the pane: the paneLock step is not reached, never ✗', async () => {
    const gate = new Gate();
    let firstId = '';
    const h = harness({
      report: HOT,
      overrides: {
        awaitAck: async (input) => {
          if (callerWorkflowId() === firstId) await gate.wait();
          return ackResult(input);
        },
      },
    });
    const { refused, lockAfter } = await h.run(async () => {
      const first = await h.start({ text: 'cpu work holding the pane', workload: 'cpu' }, 'a');
      firstId = first.workflowId;
      await waitFor(() => h.mock.calls.some((c) => c.name === 'awaitAck' && c.workflowId === firstId), {
        timeoutMs: 10_000,
        what: 'the first send to hold the pane',
      });
      const second = await h.start({ workload: 'gpu' }, 'b');
      await assertFailsWith(second, 'GpuTooHot');
      const refused = await second.query(progressQuery);
      const lock = theEnv().client.workflow.getHandle(paneLockId(h.peer));
      const lockAfter = await waitFor(
        async () => {
          const s = await lock.query(lockStateQuery);
          return s.waiting.length === 0 ? s : undefined;
        },
        { timeoutMs: 10_000, what: 'the refused send to leave the lock queue' },
      );
      gate.release();
      assert.equal((await first.result()).outcome, 'acked');
      return { refused, lockAfter };
    });
    const step = refused.steps.find((s) => s.step === 'paneLock');
    assert.equal(step?.status, 'skipped', JSON.stringify(refused.steps));
    assert.match(step.detail ?? '', /^not reached/);
    assert.match(stepLine(step), /^ {2}· paneLock +not reached/, 'a step not reached shows no time');
    assert.equal(lockAfter.holder, firstId);
  });
});

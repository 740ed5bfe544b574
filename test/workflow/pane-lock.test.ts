/**
 * paneLock on the time-skipping test server: grants in arrival order, a lease that runs out
 * hands the pane to the next requester, a queued requester can withdraw, an idle lock ends.
 * Then on the dev server (real time): the lock follows its holders — a holder that closed
 * without releasing frees the pane within seconds, one still running keeps it, a queued one
 * that closed leaves the queue. The requesters are small stand-in workflows
 * (workflows/lock-requester.ts) that count grants; the worker runs the real lockHolders
 * activity, which reads the workflows through the worker's own client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createLockHolders } from '../../src/activities/lock-holders';
import type { LockMove, PaneLockState } from '../../src/contracts/pane-lock';
import { acquireSignal, lockStateQuery, releaseSignal } from '../../src/workflows/definitions';
import { startDevEnv, startTimeSkippingEnv, uniqueQueue, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { finishSignal, grantsQuery, lockRequester, paneLock } from './workflows/lock-requester';

const workflowsPath = require.resolve('./workflows/lock-requester');
let env: TestWorkflowEnvironment | undefined;

before(async () => {
  [env] = await Promise.all([startTimeSkippingEnv(), workflowBundle(workflowsPath)]);
});

after(async () => {
  await env?.teardown();
});

function theEnv(): TestWorkflowEnvironment {
  if (!env) throw new Error('the Temporal test environment did not start');
  return env;
}

const MINUTE = 60_000;
const EventType = temporal.api.enums.v1.EventType;

interface LockHarness {
  lock: WorkflowHandle<typeof paneLock>;
  taskQueue: string;
  /** Starts a requester workflow (it only counts grants). */
  requester(name: string): Promise<WorkflowHandle<typeof lockRequester>>;
  /** Asks for the lock for a requester, starting the lock workflow if needed (as requestPaneLock does). */
  acquire(requester: string, leaseMs?: number): Promise<void>;
  release(requester: string): Promise<void>;
  state(): Promise<PaneLockState>;
  /** Polls the lock until its state matches (within `timeoutMs`, default 10 s). */
  until(pred: (s: PaneLockState) => boolean, what: string, timeoutMs?: number): Promise<PaneLockState>;
  grants(h: WorkflowHandle<typeof lockRequester>): Promise<number>;
  /**
   * Runs `fn` with a fresh worker, then terminates this test's lock and requesters: on the
   * time-skipping server, workflows left running with timers on a queue nobody serves any
   * more keep later tests' `env.sleep` from skipping time.
   */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

function harness(idleMs = 10 * MINUTE, e: TestWorkflowEnvironment = theEnv()): LockHarness {
  const taskQueue = uniqueQueue('lock');
  const lockId = uniqueQueue('lock-peer-claude_0.0');
  const lock = e.client.workflow.getHandle<typeof paneLock>(lockId);
  const state = () => lock.query(lockStateQuery);
  const started: WorkflowHandle[] = [lock];
  return {
    lock,
    taskQueue,
    requester: async (name) => {
      const handle = await e.client.workflow.start(lockRequester, {
        taskQueue,
        workflowId: `${lockId}-${name}`,
        args: [],
      });
      started.push(handle);
      return handle;
    },
    acquire: async (requester, leaseMs = 10 * MINUTE) => {
      await e.client.workflow.signalWithStart(paneLock, {
        workflowId: lockId,
        taskQueue,
        args: [{ idleMs }],
        signal: acquireSignal,
        signalArgs: [{ requester, leaseMs }],
      });
    },
    release: (requester) => lock.signal(releaseSignal, { requester }),
    state,
    until: async (pred, what, timeoutMs = 10_000) => {
      let last: PaneLockState | undefined;
      try {
        return await waitFor(
          async () => {
            last = await state();
            return pred(last) ? last : undefined;
          },
          { timeoutMs, what },
        );
      } catch (err) {
        throw new Error(`${String(err)}; lock state: ${JSON.stringify(last)}`);
      }
    },
    grants: (h) => h.query(grantsQuery),
    run: async (fn) => {
      const worker = await Worker.create({
        connection: e.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(workflowsPath),
        activities: { lockHolders: createLockHolders() },
      });
      try {
        return await worker.runUntil(fn);
      } finally {
        await Promise.all(started.map((w) => w.terminate('test over').catch(() => undefined)));
      }
    },
  };
}

void describe('paneLock', () => {
  void test('grants the pane in arrival order, one holder at a time', async () => {
    const h = harness();
    await h.run(async () => {
      const [r1, r2, r3, r4] = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((n) => h.requester(n)));
      if (!r1 || !r2 || !r3 || !r4) throw new Error('requesters did not start');
      await h.acquire(r1.workflowId);
      await h.acquire(r2.workflowId);
      await h.acquire(r3.workflowId);
      await h.acquire(r2.workflowId); // a repeated request (a retried activity) is not queued twice

      const s1 = await h.until((s) => s.holder === r1.workflowId, 'r1 to hold the lock');
      assert.deepEqual(s1.waiting, [r2.workflowId, r3.workflowId]);
      await waitFor(async () => (await h.grants(r1)) === 1, { timeoutMs: 5000, what: 'r1 to be told' });
      assert.equal(await h.grants(r2), 0);

      await h.release(r1.workflowId);
      await h.until((s) => s.holder === r2.workflowId, 'r2 to hold the lock');
      await h.acquire(r4.workflowId); // arrives while r2 holds: behind r3
      const s2 = await h.until((s) => s.waiting.length === 2, 'r4 to be queued');
      assert.deepEqual(s2.waiting, [r3.workflowId, r4.workflowId]);

      await h.release(r2.workflowId);
      await h.until((s) => s.holder === r3.workflowId, 'r3 to hold the lock');
      await h.release(r3.workflowId);
      await h.until((s) => s.holder === r4.workflowId, 'r4 to hold the lock');
      await h.release(r4.workflowId);
      const done = await h.until((s) => s.holder === null && s.grants === 4, 'the lock to be free');
      assert.deepEqual(done.waiting, []);

      for (const r of [r1, r2, r3, r4]) assert.equal(await h.grants(r), 1, `${r.workflowId} was granted once`);
    });
  });

  void test('a lease that runs out hands the pane to the next requester', async () => {
    const h = harness();
    await h.run(async () => {
      const r1 = await h.requester('r1');
      const r2 = await h.requester('r2');
      await h.acquire(r1.workflowId, 2 * MINUTE);
      await h.acquire(r2.workflowId, 2 * MINUTE);
      await h.until((s) => s.holder === r1.workflowId, 'r1 to hold the lock');

      await theEnv().sleep(MINUTE); // r1 never releases; within the lease it keeps the pane
      assert.equal((await h.state()).holder, r1.workflowId);
      await theEnv().sleep(MINUTE + 5000);
      const s = await h.until((x) => x.holder === r2.workflowId, 'r2 to get the lock after the lease');
      assert.deepEqual(s.waiting, []);
      assert.equal(s.grants, 1);
      assert.equal(await h.grants(r2), 1);

      // A late release from the expired holder does not take the pane from r2.
      await h.release(r1.workflowId);
      await h.release(r2.workflowId);
      await h.until((x) => x.holder === null && x.grants === 2, 'the lock to be free');
    });
  });

  void test('a queued requester that releases leaves the queue and is never granted', async () => {
    const h = harness();
    await h.run(async () => {
      const [r1, r2, r3] = await Promise.all(['r1', 'r2', 'r3'].map((n) => h.requester(n)));
      if (!r1 || !r2 || !r3) throw new Error('requesters did not start');
      await h.acquire(r1.workflowId);
      await h.acquire(r2.workflowId);
      await h.acquire(r3.workflowId);
      await h.until((s) => s.holder === r1.workflowId && s.waiting.length === 2, 'r1 holding, two waiting');

      await h.release(r2.workflowId); // r2 gives up while queued
      const s = await h.until((x) => x.waiting.length === 1, 'r2 to leave the queue');
      assert.equal(s.holder, r1.workflowId, 'a queued release does not free the holder');
      assert.deepEqual(s.waiting, [r3.workflowId]);

      await h.release(r1.workflowId);
      await h.until((x) => x.holder === r3.workflowId, 'r3 to hold the lock');
      assert.equal(await h.grants(r2), 0);
      await h.release(r3.workflowId);
      await h.until((x) => x.holder === null, 'the lock to be free');
    });
  });

  void test('the lock ends after idleMs without requests, not before', async () => {
    const h = harness(5 * MINUTE);
    await h.run(async () => {
      const r1 = await h.requester('r1');
      await h.acquire(r1.workflowId);
      await h.until((s) => s.holder === r1.workflowId, 'r1 to hold the lock');
      await h.release(r1.workflowId);
      await h.until((s) => s.holder === null, 'the lock to be free');

      await theEnv().sleep(4 * MINUTE);
      assert.equal((await h.lock.describe()).status.name, 'RUNNING', 'ended before idleMs');
      await h.lock.result(); // the time-skipping client skips the rest of the idle time
      assert.equal((await h.lock.describe()).status.name, 'COMPLETED');
    });
  });

  // Last on purpose: on the time-skipping test server a failed signal to an ended workflow seems to
  // leave time skipping locked, so a later `env.sleep` would hang (cf. temporalio/sdk-java#2670).
  void test('a requester that has ended is skipped', async () => {
    const h = harness();
    await h.run(async () => {
      const r0 = await h.requester('r0');
      const r1 = await h.requester('r1');
      await r0.terminate('a send that ended while queued');
      await h.acquire(r0.workflowId);
      await h.acquire(r1.workflowId);
      const s = await h.until((x) => x.holder === r1.workflowId, 'r1 to hold the lock');
      assert.deepEqual(s.waiting, []);
      await h.release(r1.workflowId);
    });
  });
});

/** The move of the lock that matches, if any. */
function moveOf(s: PaneLockState, requester: string, why: LockMove['why']): LockMove | undefined {
  return s.moves.find((m) => m.requester === requester && m.why === why);
}

const HOUR = 60 * MINUTE;

void describe('paneLock follows its holders (dev server, real time)', () => {
  let dev: TestWorkflowEnvironment | undefined;
  before(async () => {
    dev = await startDevEnv();
  });
  after(async () => {
    await dev?.teardown();
  });
  const devHarness = (): LockHarness => {
    if (!dev) throw new Error('the dev server did not start');
    return harness(10 * MINUTE, dev);
  };
  // Holder checks run every few seconds; the lease is an hour, so a grant within this bound
  // can only come from a check. Generous for a loaded machine; the acceptance bound is 10 s.
  const CHECKED = 30_000;

  void test('a holder terminated while holding frees the pane for the next requester long before its lease', async () => {
    const h = devHarness();
    await h.run(async () => {
      const r1 = await h.requester('r1');
      const r2 = await h.requester('r2');
      await h.acquire(r1.workflowId, HOUR);
      await h.acquire(r2.workflowId, HOUR);
      await h.until((s) => s.holder === r1.workflowId && s.waiting.length === 1, 'r1 holding, r2 waiting');

      await r1.terminate('a send terminated while holding its pane lock');
      // Granted: r2 holds and the lock has told it (the 'granted' move follows the signal).
      const s = await h.until(
        (x) => x.holder === r2.workflowId && moveOf(x, r2.workflowId, 'granted') !== undefined,
        'r2 to get the pane after r1 was terminated',
        CHECKED,
      );
      assert.equal(await h.grants(r2), 1);
      assert.equal(moveOf(s, r1.workflowId, 'holder closed')?.detail, 'TERMINATED', JSON.stringify(s.moves));
      assert.ok(s.leaseEndsAt !== null && s.leaseEndsAt - Date.now() > 30 * MINUTE, 'r2 holds with its own lease');

      await h.release(r2.workflowId);
      await h.until((x) => x.holder === null && x.grants === 2, 'the lock to be free');
    });
  });

  void test('a running holder keeps the pane; once it completes without releasing, the next one gets it', async () => {
    const h = devHarness();
    await h.run(async () => {
      const r1 = await h.requester('r1');
      const r2 = await h.requester('r2');
      await h.acquire(r1.workflowId, HOUR);
      await h.acquire(r2.workflowId, HOUR);
      await h.until((s) => s.holder === r1.workflowId, 'r1 to hold the lock');

      // Two checks that found r1 running, and r1 still holds.
      const first = await h.until(
        (s) => s.lastCheck?.statuses.some((x) => x.workflowId === r1.workflowId && x.status === 'RUNNING') === true,
        'a check that found r1 running',
        CHECKED,
      );
      const firstAt = first.lastCheck?.at ?? 0;
      const second = await h.until((s) => (s.lastCheck?.at ?? 0) > firstAt, 'a second check', CHECKED);
      assert.equal(second.holder, r1.workflowId, 'a running holder lost the pane');
      assert.deepEqual(second.waiting, [r2.workflowId]);
      assert.equal(await h.grants(r2), 0);
      assert.deepEqual(
        second.lastCheck?.statuses.map((x) => x.status),
        ['RUNNING', 'RUNNING'],
        'the holder and the queued requester were both checked',
      );

      await r1.signal(finishSignal); // ends (COMPLETED) without releasing
      const s = await h.until((x) => x.holder === r2.workflowId, 'r2 to get the pane after r1 completed', CHECKED);
      assert.equal(moveOf(s, r1.workflowId, 'holder closed')?.detail, 'COMPLETED');
      await h.release(r2.workflowId);
      const done = await h.until((x) => x.holder === null, 'the lock to be free');
      assert.equal(moveOf(done, r2.workflowId, 'released')?.requester, r2.workflowId);
    });
  });

  void test('a holder carried over continue-as-new is not told again, keeps the pane while it runs, and is followed', async () => {
    const h = devHarness();
    await h.run(async () => {
      const r1 = await h.requester('r1');
      const r2 = await h.requester('r2');
      // The lock as a long hold leaves it at continue-as-new: r1 holds (told before), r2 waits.
      const grantedAt = Date.now();
      if (!dev) throw new Error('the dev server did not start');
      await dev.client.workflow.start(paneLock, {
        workflowId: h.lock.workflowId,
        taskQueue: h.taskQueue,
        args: [
          {
            idleMs: 10 * MINUTE,
            waiting: [{ requester: r2.workflowId, leaseMs: HOUR }],
            holder: { request: { requester: r1.workflowId, leaseMs: HOUR }, grantedAt, leaseEndsAt: grantedAt + HOUR },
            moves: [{ requester: r1.workflowId, why: 'granted', at: grantedAt }],
          },
        ],
      });
      const checked = await h.until(
        (s) => s.holder === r1.workflowId && (s.lastCheck?.statuses.length ?? 0) > 0,
        'a check of the carried holder',
        CHECKED,
      );
      assert.equal(checked.holderSince, grantedAt);
      assert.deepEqual(checked.waiting, [r2.workflowId]);
      assert.equal(await h.grants(r1), 0, 'the carried holder was told again');

      await r1.terminate('a send terminated during a long hold');
      const s = await h.until(
        (x) => x.holder === r2.workflowId && moveOf(x, r2.workflowId, 'granted') !== undefined,
        'r2 to get the pane',
        CHECKED,
      );
      assert.equal(moveOf(s, r1.workflowId, 'holder closed')?.detail, 'TERMINATED');
      assert.equal(await h.grants(r2), 1);
      await h.release(r2.workflowId);
      await h.until((x) => x.holder === null, 'the lock to be free');
    });
  });

  void test('a lone holder costs the lock no check: one timer (the idle clock) and no activity for two holds', async () => {
    const h = devHarness();
    await h.run(async () => {
      const r1 = await h.requester('r1');
      const r2 = await h.requester('r2');
      await h.acquire(r1.workflowId, HOUR);
      await h.until((s) => s.holder === r1.workflowId, 'r1 to hold the lock');
      await h.release(r1.workflowId);
      await h.until((s) => s.holder === null && s.grants === 1, 'r1 to let go');
      await h.acquire(r2.workflowId, HOUR);
      await h.until((s) => s.holder === r2.workflowId, 'r2 to hold the lock');
      await h.release(r2.workflowId);
      const s = await h.until((x) => x.holder === null && x.grants === 2, 'the lock to be free');
      assert.equal(s.lastCheck, null, 'a holder nobody waited behind was checked');
      const types = ((await h.lock.fetchHistory()).events ?? []).map((e) => String(e.eventType));
      const count = (t: number) => types.filter((x) => x === String(t)).length;
      assert.equal(count(EventType.EVENT_TYPE_TIMER_STARTED), 1, `timers: ${types.join(',')}`);
      assert.equal(count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 0, `activities: ${types.join(',')}`);
    });
  });

  void test('a lone holder that closed is freed within seconds of someone asking for the pane', async () => {
    const h = devHarness();
    await h.run(async () => {
      const r1 = await h.requester('r1');
      const r2 = await h.requester('r2');
      await h.acquire(r1.workflowId, HOUR);
      await h.until(
        (s) => s.holder === r1.workflowId && moveOf(s, r1.workflowId, 'granted') !== undefined,
        'r1 to hold the lock, told',
      );
      await r1.terminate('a send terminated while holding its pane lock, nobody waiting');
      await h.acquire(r2.workflowId, HOUR);
      const s = await h.until(
        (x) => x.holder === r2.workflowId && moveOf(x, r2.workflowId, 'granted') !== undefined,
        'r2 to get the pane after the lone holder r1 was terminated',
        CHECKED,
      );
      assert.equal(moveOf(s, r1.workflowId, 'holder closed')?.detail, 'TERMINATED', JSON.stringify(s.moves));
      assert.equal(await h.grants(r2), 1);
      await h.release(r2.workflowId);
      await h.until((x) => x.holder === null && x.grants === 2, 'the lock to be free');
    });
  });

  void test('a lone holder that closed is freed when the idle clock rings, and the lock then ends idle', async () => {
    if (!dev) throw new Error('the dev server did not start');
    const h = harness(3000, dev); // a 3 s idle clock: rings while r1 holds
    await h.run(async () => {
      const r1 = await h.requester('r1');
      await h.acquire(r1.workflowId, HOUR);
      await h.until(
        (s) => s.holder === r1.workflowId && moveOf(s, r1.workflowId, 'granted') !== undefined,
        'r1 to hold the lock, told',
      );
      await r1.terminate('a send terminated while holding its pane lock, nobody waiting');
      const s = await h.until((x) => x.holder === null, 'the ring to free the pane of the closed r1', CHECKED);
      assert.equal(moveOf(s, r1.workflowId, 'holder closed')?.detail, 'TERMINATED', JSON.stringify(s.moves));
      await h.lock.result(); // nobody asks again: it ends idle
    });
  });

  void test('a queued requester that closed leaves the queue; the order of the others is kept', async () => {
    const h = devHarness();
    await h.run(async () => {
      const [r1, r2, r3, r4] = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((n) => h.requester(n)));
      if (!r1 || !r2 || !r3 || !r4) throw new Error('requesters did not start');
      for (const r of [r1, r2, r3, r4]) await h.acquire(r.workflowId, HOUR);
      await h.until((s) => s.holder === r1.workflowId && s.waiting.length === 3, 'r1 holding, three waiting');

      await r3.terminate('a send terminated while queued');
      const s = await h.until((x) => x.waiting.length === 2, 'r3 to leave the queue', CHECKED);
      assert.deepEqual(s.waiting, [r2.workflowId, r4.workflowId]);
      assert.equal(s.holder, r1.workflowId);
      assert.equal(moveOf(s, r3.workflowId, 'closed while queued')?.detail, 'TERMINATED');

      await h.release(r1.workflowId);
      await h.until((x) => x.holder === r2.workflowId, 'r2 to hold the lock');
      await h.release(r2.workflowId);
      await h.until((x) => x.holder === r4.workflowId, 'r4 to hold the lock');
      assert.equal(await h.grants(r3), 0);
      await h.release(r4.workflowId);
      await h.until((x) => x.holder === null, 'the lock to be free');
    });
  });
});

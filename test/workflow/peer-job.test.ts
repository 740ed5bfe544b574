/**
 * peerJob on the time-skipping test server. The child sends are the real sendDirective (and
 * paneLock) from the bundle, with mocked activities (mock-activities.ts), so every text the job
 * sends the peer can be read byte-exact from the mocked `deliver`. The inbox is a fake folder in
 * memory (scanInbox / resolvePhoneHome), gitSync a stub per test.
 *
 * The time-skipping test server (temporal-test-server 1.40.0) has a bug these tests step around:
 * a query that reaches a run while the workflow task that continues it as new is in flight is
 * buffered with that task; completing the task then tries to schedule one more task on the
 * continued run, fails ("workflow execution already completed", logged by the worker as "Task
 * not found when completing") and throws the whole completion away — with it the release of the
 * task's time-skipping lock and the dispatch of the buffered query. The query then never
 * returns and time never skips again (env.sleep hangs). So:
 *  - while a continue-as-new may be in flight, wait with describe (which never touches the
 *    workflow task) until the run reports CONTINUED_AS_NEW, and only then query the new run;
 *  - every call that waits on the workflow (sleep, query, update, result) has a deadline and
 *    fails naming what it waited for, and each test has its own test server (about 0.2 s to start).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, before, beforeEach, describe, test } from 'node:test';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { Activities } from '../../src/activities';
import type { DeliverInput } from '../../src/activities/deliver';
import type { RecordCursor, TurnReading, TurnRef } from '../../src/activities/receipts';
import type { GitSyncResult } from '../../src/contracts/git-sync';
import type {
  InboxScan,
  ResolvePhoneHomeInput,
  ResolvePhoneHomeResult,
  ScanInboxInput,
} from '../../src/contracts/inbox';
import type { PeerJobInput } from '../../src/contracts/job-input';
import type { ResolveAccepted, ResolveInput } from '../../src/contracts/job-resolution';
import type { JobStatus } from '../../src/contracts/job-status';
import { resolutionMessage } from '../../src/contracts/phone-home';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes';
import { paneLockId } from '../../src/workflows/pane-lock';
import { turnResolutionMessage } from '../../src/workflows/job/messages';
import {
  completeSignal,
  phoneHomeSignal,
  resolveSignal,
  resolveUpdate,
  statusQuery,
} from '../../src/workflows/definitions';
import { peerJob } from '../../src/workflows/peer-job';
import { applicationFailureIn, startTimeSkippingEnv, uniqueQueue, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { callerWorkflowId, mockActivities, screen, sha256Hex, type MockActivities } from './mock-activities';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const INBOX = '~/work/inbox/host';

/** A hung file fails after this long instead of holding the run (it passes in about 10 s). */
const FILE_TIMEOUT_MS = 120_000;

let env: TestWorkflowEnvironment | undefined;

before(async () => {
  await workflowBundle();
});

// One test server per test: one that got stuck cannot hold up the next test.
beforeEach(async () => {
  const e = await startTimeSkippingEnv();
  env = e;
  // The test server has no ListSearchAttributes, but registers with AddSearchAttributes (all ours are keywords).
  await e.connection.operatorService.addSearchAttributes({
    namespace: e.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      ALL_SEARCH_ATTRIBUTES.map((a) => [a.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
});

afterEach(async () => {
  const e = env;
  env = undefined;
  await e?.teardown();
});

function theEnv(): TestWorkflowEnvironment {
  if (!env) throw new Error('the Temporal test environment did not start');
  return env;
}

/** Runs `fn` (calls to the test server) with a deadline; past it, fails naming what it waited for. */
async function bounded<T>(what: string, ms: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  try {
    return await theEnv().connection.withDeadline(deadline, fn);
  } catch (err) {
    if (Date.now() < deadline) throw err;
    throw new Error(`the test server did not answer ${what} within ${ms} ms`, { cause: err });
  }
}

/** Skips `ms` of test time (env.sleep), or fails if time skipping is stuck. */
function skip(ms: number): Promise<void> {
  return bounded(`env.sleep(${ms} ms)`, 20_000, () => theEnv().sleep(ms));
}

function status(job: WorkflowHandle<typeof peerJob>): Promise<JobStatus> {
  return bounded('the status query', 5_000, () => job.query(statusQuery));
}

function resultOf(job: WorkflowHandle<typeof peerJob>): Promise<JobStatus> {
  return bounded(`the result of ${job.workflowId}`, 20_000, () => job.result());
}

function resolve(job: WorkflowHandle<typeof peerJob>, input: ResolveInput): Promise<ResolveAccepted> {
  return bounded('the resolve update', 10_000, () => job.executeUpdate(resolveUpdate, { args: [input] }));
}

/** The peer's inbox folder, in memory. */
class FakeInbox {
  readonly files = new Map<string, string>();
  readonly resolved: string[] = [];
  scanIntervalMs = 2 * MINUTE;
  scans = 0;
  /** resolvePhoneHome leaves files where they are (as when the move fails). */
  keepFiles = false;

  static sum(text: string): string {
    return `${parseInt(createHash('sha256').update(text).digest('hex').slice(0, 8), 16)}-${Buffer.byteLength(text)}`;
  }

  scanInbox = async (input: ScanInboxInput): Promise<InboxScan> => {
    this.scans++;
    const r: InboxScan = {
      inboxDir: INBOX,
      exists: true,
      scanIntervalMs: this.scanIntervalMs,
      phoneHomes: [],
      unchanged: [],
      skipped: [],
    };
    for (const [name, text] of this.files) {
      const sum = FakeInbox.sum(text);
      if (input.known?.[name] === sum) {
        r.unchanged.push(name);
        continue;
      }
      const file = {
        name,
        path: `${INBOX}/${name}`,
        sum,
        bytes: Buffer.byteLength(text),
        text: input.withText === false ? '' : text,
        truncated: false,
      };
      if (name === `DONE-${input.jobId}.md`) r.done = file;
      else if (name.startsWith('PHONE-HOME-')) r.phoneHomes.push(file);
    }
    return r;
  };

  resolvePhoneHome = async ({ topic }: ResolvePhoneHomeInput): Promise<ResolvePhoneHomeResult> => {
    const name = `PHONE-HOME-${topic}.md`;
    const from = `${INBOX}/${name}`;
    if (this.keepFiles) return { moved: false, from, reason: 'kept by the test' };
    if (!this.files.delete(name)) return { moved: false, from, reason: 'no such file on the peer' };
    this.resolved.push(name);
    return { moved: true, from, to: `${INBOX}/resolved/${name}` };
  };
}

const PHONE_HOME = [
  '# PHONE-HOME: eval regressed',
  '',
  'Loss went from 1.9 to 2.4 after phase 2.',
  '',
  '## Recommendation',
  '(b) rerun phase 2 with lr 1e-4.',
  '',
].join('\n');

interface Harness {
  peer: string;
  jobId: string;
  inbox: FakeInbox;
  mock: MockActivities;
  start(input?: Partial<PeerJobInput>): Promise<WorkflowHandle<typeof peerJob>>;
  /** Polls the status query until `pred` holds. Not while a continue-as-new may be in flight: see nextRun. */
  until(h: WorkflowHandle<typeof peerJob>, what: string, pred: (s: JobStatus) => boolean): Promise<JobStatus>;
  /**
   * Waits, by describe only, until run `runId` of the job has continued as new; the new run's id.
   * A query in that window could hang the test server (see the top of the file).
   */
  nextRun(runId: string): Promise<string>;
  /** The id of the job's current run. */
  runId(): Promise<string>;
  /** Every text pasted into the peer, in order. */
  delivered(): string[];
  run<T>(fn: () => Promise<T>): Promise<T>;
}

function harness(overrides: Partial<Activities> = {}): Harness {
  const e = theEnv();
  const taskQueue = uniqueQueue('job');
  const peer = uniqueQueue('peer');
  const jobId = `job-${peer}-t`;
  const inbox = new FakeInbox();
  const skipped: GitSyncResult = {
    ok: false,
    skipped: true,
    reason: 'controller.repo is not configured: git sync skipped',
  };
  const mock = mockActivities({
    client: e.client,
    taskQueue,
    overrides: {
      scanInbox: inbox.scanInbox,
      resolvePhoneHome: inbox.resolvePhoneHome,
      gitSync: async () => skipped,
      ...overrides,
    },
  });
  const started: WorkflowHandle[] = [];
  return {
    peer,
    jobId,
    inbox,
    mock,
    start: async (input = {}) => {
      const h = await e.client.workflow.start(peerJob, {
        taskQueue,
        workflowId: jobId,
        args: [{ peer, directive: 'Do the thing.\nThen report.', ...input }],
      });
      started.push(h);
      return h;
    },
    until: async (h, what, pred) => {
      let last: JobStatus | undefined;
      try {
        return await waitFor(
          async () => {
            last = await status(h);
            return pred(last) ? last : undefined;
          },
          { timeoutMs: 15_000, what },
        );
      } catch (err) {
        throw new Error(`${String(err)}; status: ${JSON.stringify(last)}`);
      }
    },
    nextRun: async (runId) => {
      const old = e.client.workflow.getHandle(jobId, runId);
      await waitFor(
        async () => (await bounded('describe', 5_000, () => old.describe())).status.name === 'CONTINUED_AS_NEW',
        { timeoutMs: 15_000, what: `run ${runId} of ${jobId} to continue as new` },
      );
      const next = (await e.client.workflow.getHandle(jobId).describe()).runId;
      assert.notEqual(next, runId);
      return next;
    },
    runId: async () => (await e.client.workflow.getHandle(jobId).describe()).runId,
    delivered: () =>
      mock.calls.filter((c) => c.name === 'deliver' && c.phase === 'start').map((c) => (c.input as DeliverInput).text),
    run: async (fn) => {
      const worker = await Worker.create({
        connection: e.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities: mock.activities,
      });
      try {
        return await worker.runUntil(fn);
      } finally {
        // End this test's workflows (and the lock its sends started) before its test server goes.
        const lock = e.client.workflow.getHandle(paneLockId(peer));
        await Promise.all(
          [...started, lock].map((w) =>
            bounded('terminate', 5_000, () => w.terminate('test over')).catch(() => undefined),
          ),
        );
      }
    },
  };
}

/** Where the agent's records stand at every look: the peer has a hook event log, so sends carry a turnRef. */
const CURSOR: RecordCursor = { events: 4096, transcript: null };
const withRecords = (): Partial<Activities> => ({ inspectScreen: async () => screen('idle', { cursor: CURSOR }) });

/** The readTurn calls' refs, in order. */
function turnReads(h: Harness): TurnRef[] {
  return h.mock.calls
    .filter((c) => c.name === 'readTurn' && c.phase === 'start')
    .map((c) => (c.input as { ref: TurnRef }).ref);
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WorkflowUpdateFailedError, `expected an update failure, got ${String(err)}`);
    return applicationFailureIn(err)?.message ?? err.message;
  }
  assert.fail('the update was accepted');
}

void describe('peerJob', { timeout: FILE_TIMEOUT_MS }, () => {
  void test('waits three days for a resolution (seconds of test time), sends it, files the phone-home, ends on DONE', async () => {
    const h = harness({ gitSync: async () => ({ ok: true, fastForwarded: true, before: 'a1', after: 'b2' }) });
    const wallStart = Date.now();
    await h.run(async () => {
      const job = await h.start({ budgetMs: 8 * HOUR, requestedBy: 'alice@laptop' });
      let s = await h.until(job, 'the directive acked', (x) => x.state === 'watching');
      assert.equal(s.lastAck?.workflowId, `${h.jobId}-send-1`);
      assert.equal(s.lastAck.outcome, 'acked');
      assert.equal(s.budgetMs, 8 * HOUR);
      const directive = h.delivered()[0] ?? '';
      assert.ok(directive.startsWith('Do the thing.\nThen report.\n\n---\npeer-comms job: '));
      assert.ok(directive.includes(`${INBOX}/DONE-${h.jobId}.md`));

      h.inbox.files.set('PHONE-HOME-eval.md', PHONE_HOME);
      await skip(2 * MINUTE + 1000); // the next scan finds it
      s = await h.until(job, 'the phone-home', (x) => x.state === 'awaiting-resolution');
      assert.equal(s.reason, 'phone-home');
      assert.equal(s.current?.topic, 'eval');
      assert.equal(s.current.source, 'scan');
      assert.equal(s.current.file, `${INBOX}/PHONE-HOME-eval.md`);
      assert.equal(s.current.text, PHONE_HOME);
      assert.equal(s.current.recommendation, '## Recommendation\n(b) rerun phase 2 with lr 1e-4.');
      assert.equal(s.budgetPaused, true);
      const leftAtPause = s.budgetLeftMs ?? 0;
      assert.ok(leftAtPause > 7 * HOUR && leftAtPause < 8 * HOUR, String(leftAtPause));
      const described = await job.describe();
      assert.deepEqual(described.searchAttributes.JobState, ['awaiting-resolution']);
      const seenAt = s.current.seenAt;

      await skip(3 * DAY);
      s = await status(job);
      assert.equal(s.state, 'awaiting-resolution');
      assert.equal(s.budgetLeftMs, leftAtPause, 'the budget does not run while the job waits for a person');

      const accepted = await resolve(job, { decision: 'b', note: 'use lr 1e-4', by: 'alice' });
      assert.equal(accepted.decision, 'rerun-with-fix');
      assert.equal(accepted.topic, 'eval');
      s = await h.until(job, 'the resolution applied', (x) => x.state === 'watching' && x.resolutions.length === 1);
      const r = s.resolutions[0]!;
      assert.ok(r.at - seenAt >= 3 * DAY, `resolved ${r.at - seenAt} ms after the phone-home`);
      assert.equal(r.sendWorkflowId, `${h.jobId}-send-2`);
      assert.equal(r.sendOutcome, 'acked');
      assert.equal(r.movedTo, `${INBOX}/resolved/PHONE-HOME-eval.md`);
      assert.deepEqual(h.inbox.resolved, ['PHONE-HOME-eval.md']);
      assert.equal(s.current, undefined);
      assert.equal(s.budgetPaused, false);
      const restartedAt = (s.budgetEndsAt ?? 0) - leftAtPause; // the rest of the budget runs from the resolution's send
      assert.ok(restartedAt >= r.at && restartedAt < r.at + 10_000, `${restartedAt - r.at}`);
      assert.equal(
        h.delivered()[1],
        resolutionMessage({
          jobId: h.jobId,
          reason: 'phone-home',
          file: `${INBOX}/PHONE-HOME-eval.md`,
          budgetMs: leftAtPause,
          resolution: { decision: 'rerun-with-fix', note: 'use lr 1e-4', by: 'alice', topic: 'eval' },
        }),
      );

      h.inbox.files.set(`DONE-${h.jobId}.md`, 'All phases done, pushed to main.');
      const result = await resultOf(job);
      assert.equal(result.state, 'done');
      assert.equal(result.completion?.source, 'marker');
      assert.equal(result.completion.text, 'All phases done, pushed to main.');
      assert.equal(result.gitSync?.ok, true);
      assert.deepEqual(result.phoneHomesSeen, ['eval']);
      assert.equal(h.mock.count('gitSync'), 1);
      assert.deepEqual((await job.describe()).searchAttributes.JobState, ['done']);
    });
    assert.ok(Date.now() - wallStart < 30_000, 'three days of job time in seconds');
  });

  void test('budget expiry: awaiting-resolution with reason budget; accept restarts the budget; repo not configured', async () => {
    // The agent is busy when the resolution comes: the send queues behind its turn.
    const h = harness({
      inspectScreen: async () => screen(callerWorkflowId().endsWith('-send-2') ? 'working' : 'idle'),
    });
    h.inbox.scanIntervalMs = 30 * MINUTE;
    await h.run(async () => {
      const job = await h.start({ budgetMs: HOUR });
      await h.until(job, 'watching', (x) => x.state === 'watching');
      await skip(HOUR + MINUTE);
      let s = await h.until(job, 'the budget stop', (x) => x.state === 'awaiting-resolution');
      assert.equal(s.reason, 'budget');
      assert.equal(s.current, undefined);
      assert.equal(s.budgetLeftMs, 0);
      assert.match(await rejection(resolve(job, { decision: 'a', topic: 'eval' })), /the pending stop is the budget/);

      await resolve(job, { decision: 'accept-and-revise', note: '', topic: 'budget' });
      s = await h.until(job, 'watching again', (x) => x.state === 'watching' && x.resolutions.length === 1);
      const r = s.resolutions[0]!;
      assert.equal(r.reason, 'budget');
      assert.equal(r.sendOutcome, 'queued', 'sent with queue: the agent may still be working');
      const restartedAt = (s.budgetEndsAt ?? 0) - HOUR; // the budget restarts with its length
      assert.ok(restartedAt >= r.at && restartedAt < r.at + 10_000, `${restartedAt - r.at}`);
      const text = h.delivered()[1] ?? '';
      assert.match(text, /resolution of your wall-clock budget of 1h ran out\.\nDecision: \(a\) accept-and-revise/);
      assert.match(text, /Budget: 1h from now\./);

      await job.signal(completeSignal, { note: 'good enough', by: 'bob' });
      const result = await resultOf(job);
      assert.equal(result.state, 'done');
      assert.equal(result.completion?.source, 'signal');
      assert.equal(result.gitSync?.skipped, true);
      assert.match(result.gitSync.reason ?? '', /not configured/);
    });
  });

  void test('the same phone-home from a scan and a signal counts once; an unmoved file is not taken again', async () => {
    const h = harness();
    h.inbox.keepFiles = true;
    // The peer writes its phone-home while the directive is being pasted (after the first look).
    h.mock.activities.deliver = ((orig) => async (input: DeliverInput) => {
      if (input.text.startsWith('Do the thing.')) h.inbox.files.set('PHONE-HOME-gpu.md', PHONE_HOME);
      return orig(input);
    })(h.mock.activities.deliver);
    await h.run(async () => {
      const job = await h.start();
      let s = await h.until(job, 'the phone-home', (x) => x.state === 'awaiting-resolution');
      assert.equal(s.current?.source, 'scan');
      await job.signal(phoneHomeSignal, { topic: 'gpu', text: 'GPU OOM (short version)' });
      await job.signal(phoneHomeSignal, {
        topic: 'PHONE-HOME-gpu.md',
        text: PHONE_HOME,
        file: `${INBOX}/PHONE-HOME-gpu.md`,
      });
      await job.signal(phoneHomeSignal, { topic: '../etc', text: 'x' });
      s = await h.until(job, 'the bad signal refused', (x) => x.lastRejected !== undefined);
      assert.equal(s.lastRejected?.signal, 'phoneHome');
      assert.match(s.lastRejected.reason, /bad topic "..\/etc"/);
      assert.deepEqual(s.phoneHomesSeen, ['gpu']);
      assert.deepEqual(s.queued, []);
      assert.equal(s.current?.text, PHONE_HOME, 'the first sighting is kept');

      await resolve(job, { decision: 'a', note: 'fine' });
      s = await h.until(job, 'resolved', (x) => x.state === 'watching' && x.resolutions.length === 1);
      assert.equal(s.resolutions[0]?.moveNote, 'kept by the test');
      const scans = h.inbox.scans;
      await skip(2 * MINUTE + 1000);
      await skip(2 * MINUTE + 1000);
      await job.signal(phoneHomeSignal, { topic: 'gpu', text: PHONE_HOME }); // a late duplicate
      s = await h.until(job, 'two more scans', () => h.inbox.scans >= scans + 2);
      assert.equal(s.state, 'watching');
      assert.deepEqual(s.phoneHomesSeen, ['gpu']);
      await job.signal(completeSignal);
      assert.equal((await resultOf(job)).state, 'done');
    });
  });

  void test('resolutions are refused visibly: none pending, unknown decision, wrong topic; a UI signal shows lastRejected; halt ends halted', async () => {
    const h = harness();
    await h.run(async () => {
      const job = await h.start();
      await h.until(job, 'watching', (x) => x.state === 'watching');
      assert.match(
        await rejection(resolve(job, { decision: 'a', note: 'x' })),
        /^nothing to resolve: the job is watching, with no pending phone-home, budget stop or failed turn$/,
      );
      await job.signal(phoneHomeSignal, { topic: 'eval', text: PHONE_HOME });
      const before = await h.until(job, 'the phone-home', (x) => x.state === 'awaiting-resolution');
      assert.equal(before.current?.source, 'signal');
      assert.equal(before.current.file, `${INBOX}/PHONE-HOME-eval.md`);

      const refusals: [Record<string, unknown>, RegExp][] = [
        [
          { decision: 'z', note: '' },
          /^unknown decision "z": use a \(accept-and-revise\), b \(rerun-with-fix\) or c \(halt-for-review\)$/,
        ],
        [{ decision: 'a', topic: 'other' }, /the pending stop is phone-home "eval", not "other"/],
        [{ decision: 'a', amendedDirective: 'do it again' }, /goes with rerun-with-fix \(b\) only/],
        [{ decision: 'b', budgetMs: -5 }, /budgetMs must be a positive number/],
      ];
      for (const [args, re] of refusals) {
        assert.match(await rejection(resolve(job, args as never)), re);
      }
      const unchanged = await status(job);
      assert.equal(unchanged.state, 'awaiting-resolution');
      assert.deepEqual(unchanged.resolutions, []);
      assert.equal(unchanged.current?.topic, 'eval');

      await job.signal(resolveSignal, { decision: 'nope', note: 'from the UI' });
      const s = await h.until(job, 'the UI signal refused', (x) => x.lastRejected !== undefined);
      assert.equal(s.lastRejected?.signal, 'resolveSignal');
      assert.match(s.lastRejected.reason, /unknown decision "nope"/);
      assert.equal(s.state, 'awaiting-resolution');

      await job.signal(resolveSignal, { decision: 'c', note: 'needs an outside look', by: 'carol' });
      const result = await resultOf(job);
      assert.equal(result.state, 'halted');
      assert.equal(result.resolutions[0]?.decision, 'halt-for-review');
      assert.match(
        h.delivered()[1] ?? '',
        /Decision: \(c\) halt-for-review - stop now\..*\nNote from carol: needs an outside look$/s,
      );
      assert.equal(h.mock.count('gitSync'), 0);
    });
  });

  void test('continue-as-new keeps the queued and the pending phone-home, the resolutions and the budget', async () => {
    const h = harness();
    await h.run(async () => {
      const job = await h.start({ budgetMs: 4 * HOUR, maxIterationsBeforeContinueAsNew: 4 });
      // The job shows watching before its first watch scan has run: wait for that scan (the one
      // before the directive is the first), or it might find the files and shift the passes.
      await h.until(job, 'the first watch scan', (x) => x.state === 'watching' && h.inbox.scans >= 2);
      h.inbox.files.set('PHONE-HOME-one.md', 'first stop');
      h.inbox.files.set('PHONE-HOME-two.md', '## Recommendation\ntry (a)');
      await skip(2 * MINUTE + 1000); // one scan finds both: one pending, two queued behind it
      let s = await h.until(job, 'phone-home one', (x) => x.current?.topic === 'one');
      assert.deepEqual(
        s.queued.map((p) => p.topic),
        ['two'],
      );
      const firstRun = await h.runId();
      // Passes: scan, scan, wait for one, apply one; then continue-as-new with two still queued. If the
      // queue were lost, the new run would only watch: the inbox scan knows two's file already.
      await resolve(job, { decision: 'a', note: 'ok', by: 'alice' });
      const secondRun = await h.nextRun(firstRun); // no query until the continue-as-new is done
      assert.notEqual(secondRun, firstRun);
      s = await h.until(job, 'a new run with two pending', (x) => x.runs === 1 && x.current?.topic === 'two');
      assert.equal(s.state, 'awaiting-resolution');
      assert.deepEqual(
        s.resolutions.map((r) => [r.topic, r.decision, r.by]),
        [['one', 'accept-and-revise', 'alice']],
      );
      assert.deepEqual(s.phoneHomesSeen, ['one', 'two']);
      assert.equal(s.current?.recommendation, '## Recommendation\ntry (a)');
      const left = s.budgetLeftMs;

      // Daily wake-ups count as passes: continue-as-new while waiting, at the fourth wake-up (just
      // before or just after the sleep ends).
      await skip(4 * DAY);
      assert.notEqual(await h.nextRun(secondRun), secondRun);
      s = await h.until(job, 'a third run', (x) => x.runs === 2);
      assert.equal(s.current?.topic, 'two');
      assert.equal(s.state, 'awaiting-resolution');
      assert.equal(s.budgetLeftMs, left);
      assert.equal(s.sends, 2);

      await resolve(job, { decision: 'a', note: '' });
      s = await h.until(job, 'two resolved', (x) => x.resolutions.length === 2 && x.state === 'watching');
      assert.equal(s.resolutions[1]?.sendWorkflowId, `${h.jobId}-send-3`);
      await job.signal(completeSignal, {});
      const result = await resultOf(job);
      assert.equal(result.state, 'done');
      assert.deepEqual(h.inbox.resolved, ['PHONE-HOME-one.md', 'PHONE-HOME-two.md']);
    });
  });

  void test("status shows the directive's turn from the send, then done once the agent's records say so", async () => {
    const readings: TurnReading['turn'][] = ['working', 'done'];
    const h = harness({
      ...withRecords(),
      readTurn: async ({ ref }) => ({ turn: readings.shift() ?? 'done', source: 'hook', cursor: ref.cursor }),
    });
    await h.run(async () => {
      const job = await h.start();
      let s = await h.until(
        job,
        'watching, the first turn read',
        (x) => x.state === 'watching' && turnReads(h).length >= 1,
      );
      assert.equal(s.turn?.state, 'working');
      assert.equal(s.turn.source, 'hook');
      assert.equal(s.turn.of, 'the directive');
      assert.equal(s.turn.sendWorkflowId, `${h.jobId}-send-1`);
      assert.equal(s.turn.hint, undefined);
      const ref = turnReads(h)[0];
      assert.deepEqual(ref, { cursor: CURSOR, receiptSha256: sha256Hex(h.delivered()[0] ?? '') });
      const readBy = h.mock.calls.find((c) => c.name === 'readTurn')?.input as { peer: string };
      assert.equal(readBy.peer, h.peer);

      await skip(2 * MINUTE + 1000); // the next scan reads the turn again: done
      s = await h.until(job, 'the turn done', (x) => x.turn?.state === 'done');
      assert.equal(s.state, 'watching', 'a finished turn is not a finished job: the DONE marker is');
      assert.equal(s.turn?.source, 'hook');
      await skip(2 * MINUTE + 1000);
      await h.until(job, 'one more scan', () => h.inbox.scans >= 4);
      assert.equal(turnReads(h).length, 2, 'a done turn is not read again');

      await job.signal(completeSignal);
      assert.equal((await resultOf(job)).state, 'done');
    });
  });

  void test('a failed turn waits for a resolution with the reason; (b) sends the note and the job watches again; (a) continues; (c) halts', async () => {
    const WORDS = 'Invalid API key · Please run /login';
    // What the records say at each read of each text's turn (by the text the job sent): the last one repeats.
    const script: [TurnReading['turn'], string?][][] = [
      [['failed: authentication_failed', WORDS]], // the directive
      [['working'], ['failed: rate_limit', '5-hour limit reached']], // the (b) note
      [['failed: overloaded']], // the (a) note
    ];
    const reads = [0, 0, 0];
    let resolutionReads = 0;
    const h = harness({
      ...withRecords(),
      readTurn: async ({ ref }): Promise<TurnReading> => {
        const n = h.delivered().findIndex((t) => sha256Hex(t) === ref.receiptSha256);
        const seq = script[n] ?? [];
        const [turn, words] = seq[Math.min(reads[n] ?? 0, seq.length - 1)] ?? ['unknown'];
        reads[n] = (reads[n] ?? 0) + 1;
        if (n > 0) resolutionReads++;
        return { turn, source: n === 0 ? 'hook' : 'transcript', ...(words ? { words } : {}), cursor: ref.cursor };
      },
    });
    await h.run(async () => {
      const job = await h.start({ budgetMs: 4 * HOUR });
      let s = await h.until(job, 'the failed turn', (x) => x.state === 'awaiting-resolution');
      assert.equal(s.reason, 'turn-failed');
      assert.equal(s.turn?.state, 'failed: authentication_failed');
      assert.equal(s.turn.words, WORDS);
      assert.equal(s.turn.of, 'the directive');
      assert.equal(s.current, undefined);
      assert.equal(s.budgetPaused, true);
      assert.deepEqual((await job.describe()).searchAttributes.JobState, ['awaiting-resolution']);
      const left = s.budgetLeftMs ?? 0;
      await skip(DAY);
      s = await status(job);
      assert.equal(s.state, 'awaiting-resolution');
      assert.equal(turnReads(h).length, 1, 'a failed turn is not read again while the job waits');
      assert.match(
        await rejection(resolve(job, { decision: 'a', topic: 'budget' })),
        /the pending stop is the failed turn, not "budget"/,
      );

      const accepted = await resolve(job, {
        decision: 'b',
        note: 'pushed a fresh token; run it again',
        by: 'alice',
        topic: 'turn-failed',
      });
      assert.equal(accepted.reason, 'turn-failed');
      s = await h.until(job, 'watching again', (x) => x.state === 'watching' && x.resolutions.length === 1);
      const r = s.resolutions[0]!;
      assert.equal(r.reason, 'turn-failed');
      assert.equal(r.turn, `failed: authentication_failed — ${WORDS}`);
      assert.equal(r.sendWorkflowId, `${h.jobId}-send-2`);
      assert.equal(r.sendOutcome, 'acked');
      assert.equal(s.budgetPaused, false);
      const restartedAt = (s.budgetEndsAt ?? 0) - left; // the rest of the budget carries on
      assert.ok(restartedAt >= r.at && restartedAt < r.at + 10_000, `${restartedAt - r.at}`);
      const note = h.delivered()[1] ?? '';
      assert.equal(
        note,
        turnResolutionMessage({
          jobId: h.jobId,
          budgetMs: left,
          resolution: { decision: 'rerun-with-fix', note: 'pushed a fresh token; run it again', by: 'alice' },
          turn: { of: 'the directive', state: 'failed: authentication_failed', words: WORDS },
        }),
      );
      assert.match(
        note,
        /^\[peer-comms\] Job \S+: resolution of your turn on the directive, which failed \(failed: authentication_failed — Invalid API key · Please run \/login\)\.\nDecision: \(b\) rerun-with-fix - apply the fix below and re-run the same protocol\.\nNote from alice: pushed a fresh token; run it again\nBudget: /,
      );
      // From now on the job follows the note's turn.
      s = await h.until(
        job,
        "the note's turn read",
        (x) => x.turn?.sendWorkflowId === `${h.jobId}-send-2` && resolutionReads >= 1,
      );
      assert.equal(s.turn?.of, 'resolution (b) of the failed turn');
      assert.equal(s.turn.state, 'working');

      await skip(2 * MINUTE + 1000); // the note's turn fails too: the job waits again
      s = await h.until(job, 'the second failed turn', (x) => x.state === 'awaiting-resolution');
      assert.equal(s.reason, 'turn-failed');
      assert.equal(s.turn?.state, 'failed: rate_limit');
      await resolve(job, { decision: 'a', note: 'the limit reset; carry on', by: 'bob' });
      s = await h.until(
        job,
        '(a) applied',
        (x) => x.resolutions.length === 2 && x.turn?.sendWorkflowId === `${h.jobId}-send-3`,
      );
      assert.match(
        h.delivered()[2] ?? '',
        /resolution of your turn on resolution \(b\) of the failed turn, which failed \(failed: rate_limit — 5-hour limit reached\)\.\nDecision: \(a\) accept-and-revise - /,
      );
      // (a) continues: the job watches, reads the new turn at its next scan, which fails as well
      s = await h.until(job, 'the third failed turn', (x) => x.state === 'awaiting-resolution');
      assert.equal(s.turn?.state, 'failed: overloaded');
      assert.equal(s.turn.of, 'resolution (a) of the failed turn');
      await resolve(job, { decision: 'c', note: 'look at it tomorrow', by: 'carol' });
      const result = await resultOf(job);
      assert.equal(result.state, 'halted');
      assert.deepEqual(
        result.resolutions.map((x) => [x.reason, x.decision, x.turn]),
        [
          ['turn-failed', 'rerun-with-fix', `failed: authentication_failed — ${WORDS}`],
          ['turn-failed', 'accept-and-revise', 'failed: rate_limit — 5-hour limit reached'],
          ['turn-failed', 'halt-for-review', 'failed: overloaded'],
        ],
      );
      assert.match(
        h.delivered()[3] ?? '',
        /which failed \(failed: overloaded\)\.\nDecision: \(c\) halt-for-review - stop now\./,
      );
      assert.equal(h.mock.count('gitSync'), 0);
      // The new path (patched job-turns, readTurn beside each scan) replays on the same code.
      const history = await bounded('the history', 10_000, () => job.fetchHistory());
      const events = history.events ?? [];
      assert.ok(events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch'));
      assert.ok(events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'readTurn'));
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, h.jobId);
    });
  });

  void test('an unconfirmed send is not a failure: the job watches with the turn unknown and a hint, until a receipt shows', async () => {
    const later: RecordCursor = { events: 5000, transcript: null };
    const readings: TurnReading['turn'][] = ['unknown', 'working'];
    const h = harness({
      ...withRecords(),
      awaitAck: async () => ({
        outcome: 'unconfirmed',
        ackSource: 'screen',
        evidence: 'the agent is idle again; no receipt of the text',
        turn: 'unknown',
        extraEnters: 0,
        polls: 40,
        elapsedMs: 20_000,
      }),
      readTurn: async ({ ref }) => {
        const turn = readings.shift() ?? 'working';
        return { turn, source: turn === 'unknown' ? null : 'hook', cursor: turn === 'unknown' ? later : ref.cursor };
      },
    });
    await h.run(async () => {
      const job = await h.start();
      let s = await h.until(
        job,
        'watching, the turn read once',
        (x) => x.state === 'watching' && turnReads(h).length >= 1,
      );
      assert.equal(s.lastAck?.outcome, 'unconfirmed');
      assert.equal(s.attention, undefined);
      assert.equal(s.turn?.state, 'unknown');
      assert.equal(s.turn.source, 'screen');
      assert.match(
        s.turn.hint ?? '',
        /could not confirm that the agent received the text \(the agent is idle again; no receipt of the text\)/,
      );
      assert.match(s.turn.hint ?? '', new RegExp(`peer-comms peek ${h.peer}`));

      await skip(2 * MINUTE + 1000); // the receipt shows late: read from where the last read ended
      s = await h.until(job, 'the receipt', (x) => x.turn?.state === 'working');
      assert.equal(s.turn?.source, 'hook');
      assert.equal(s.turn.hint, undefined);
      assert.deepEqual(
        turnReads(h).map((r) => r.cursor),
        [CURSOR, later],
      );
      await job.signal(completeSignal);
      assert.equal((await resultOf(job)).state, 'done');
    });
  });

  void test("without agent records (no cursor), the turn is the send's own and is never read", async () => {
    const h = harness();
    await h.run(async () => {
      const job = await h.start();
      const s = await h.until(job, 'the first watch scan', (x) => x.state === 'watching' && h.inbox.scans >= 2);
      assert.equal(s.turn?.state, 'working');
      assert.match(s.turn.hint ?? '', /no agent records on the peer/);
      assert.equal(turnReads(h).length, 0);
      await job.signal(completeSignal);
      assert.equal((await resultOf(job)).state, 'done');
    });
  });

  void test('a merge that is not a fast-forward leaves the job needs-attention', async () => {
    const h = harness({
      gitSync: async () => ({
        ok: false,
        repo: '/repo',
        before: 'a1',
        after: 'a1',
        reason: 'main and origin/main have diverged (1 local commit(s), 2 remote); not a fast-forward, nothing merged',
      }),
    });
    await h.run(async () => {
      const job = await h.start();
      await h.until(job, 'watching', (x) => x.state === 'watching');
      h.inbox.files.set(`DONE-${h.jobId}.md`, 'done');
      const result = await resultOf(job);
      assert.equal(result.state, 'needs-attention');
      assert.match(result.attention ?? '', /^git sync: main and origin\/main have diverged/);
      assert.equal(result.gitSync?.after, 'a1');
    });
  });

  void test('a failed send leaves the job needs-attention with the reason; bad input fails at once', async () => {
    const h = harness({
      inspectScreen: async () => screen('dialog:trust', { evidence: 'Do you trust the files in this folder?' }),
    });
    await h.run(async () => {
      const job = await h.start();
      const result = await resultOf(job);
      assert.equal(result.state, 'needs-attention');
      assert.match(
        result.attention ?? '',
        new RegExp(`^the directive: the send ${h.jobId}-send-1 failed: .*trust dialog`),
      );
      assert.equal(result.lastAck, undefined);

      const bad = await theEnv().client.workflow.start(peerJob, {
        taskQueue: (await job.describe()).taskQueue,
        workflowId: uniqueQueue('job-bad'),
        args: [{ peer: 'a/b', directive: 'x' }],
      });
      await assert.rejects(resultOf(bad), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.equal(applicationFailureIn(err)?.type, 'InvalidInput');
        return true;
      });
    });
  });
});

/**
 * The fault suite (issue 9, item 7): real Temporal dev server, real sshd on 127.0.0.1, real tmux,
 * and an INDEPENDENT exact-byte agent (test/chaos/exact-agent.ts: it parses bracketed paste as a
 * terminal program does, so an `ESC[201~` in a text would end the paste and the rest would
 * arrive as keystrokes; it logs every submitted prompt as exact bytes).
 *
 * The exact agent keeps no records (no hooks, no transcript), so every send here is acked from
 * the screen: `acked` means the screen showed the agent take this send's text (echo + working
 * or a finished turn), and the agent's own log is what this suite counts.
 *
 * Every trial asserts: each text submitted exactly once (the agent's log holds it once, byte for
 * byte, and nothing else), or refused with nothing typed; no false `failed` (a text that arrived
 * never fails) and no false `acked` (acked only when the agent logged it); nothing left in the
 * input box at the end. The results go to test/chaos/last-run.md (`node scripts/faults-table.mjs`
 * copies the table into docs/testing.md).
 *
 * Trials that take an sshd or a tmux server down get their own, so they run alongside the rest:
 * the suite's wall time is about the longest outage (3 minutes) plus setup.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as prettier from 'prettier';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../src/activities';
import { startSend, TextRefused } from '../../src/client/send';
import type { SendResult } from '../../src/contracts/send';
import { MAX_TEXT_BYTES } from '../../src/contracts/text-gate';
import { PeerShellPool } from '../../src/peer-access/pool';
import { realDeps } from '../../src/workers/controller';
import { peerConnector } from '../../src/workers/peer-shells';
import type { sendDirective } from '../../src/workflows/send-directive';
import { progressQuery } from '../../src/workflows/definitions';
import { startSshd } from '../helpers/sshd';
import { startStack, withWorker, type Stack } from '../helpers/stack';
import { applicationFailureIn, uniqueQueue, workflowBundle } from '../helpers/temporal';
import { TmuxServer } from '../helpers/tmux';
import { waitFor } from '../helpers/wait';
import {
  addExactPeer,
  boxOf,
  children,
  configOf,
  devServer,
  freePort,
  historySummary,
  logged,
  ROOT,
  seeded,
  startWorkerChild,
  table,
  writeBundle,
  writeConfig,
  type ExactPeer,
  type Row,
} from './harness';

const SEED = 20261130;
const LONG_OUTAGE_MS = Number(process.env.CHAOS_LONG_OUTAGE_MS ?? 180_000);

let stack: Stack;
let bundle: string;
const rows: Row[] = [];
const extraCleanups: (() => Promise<unknown>)[] = [];
const suiteStarted = Date.now();

before(async () => {
  stack = await startStack();
  [bundle] = await Promise.all([writeBundle(stack.dir), workflowBundle()]);
});

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const c of extraCleanups.reverse()) await c().catch(() => undefined);
  await writeLastRun();
  await stack?.stop();
});

async function writeLastRun(): Promise<void> {
  const order = [
    'hostile',
    'worker SIGKILL',
    'two workers',
    'sshd down 20',
    'sshd down 3',
    'tmux server',
    '30 concurrent',
    'terminated lock',
    'dev server',
  ];
  const rank = (r: Row) => {
    const i = order.findIndex((o) => r.fault.startsWith(o));
    return i < 0 ? order.length : i;
  };
  const sorted = [...rows].sort((a, b) => rank(a) - rank(b));
  const secs = Math.round((Date.now() - suiteStarted) / 1000);
  const md = [
    '# Faults survived — last run of test/chaos/faults.test.ts',
    '',
    ...(sorted.length < order.length
      ? [`**A partial run: ${sorted.length} of ${order.length} faults** (a --test-name-pattern filter?).`, '']
      : []),
    `Run ${new Date().toISOString()}, ${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, '0')}s wall time, seed ${SEED}.`,
    'The agent is the exact-byte agent (test/chaos/exact-agent.ts); it keeps no records, so acks come from the screen.',
    '',
    table(sorted),
    '',
  ].join('\n');
  // formatted as the repo's prettier settings say, so `prettier --check .` stays clean
  const path = join(__dirname, 'last-run.md');
  const options = { ...(await prettier.resolveConfig(path)), parser: 'markdown' };
  await writeFile(path, await prettier.format(md, options));
}

/** Records a row whatever the trial's fate: a failing trial is in the table too. */
async function trialRow(
  row: Omit<Row, 'outcome' | 'once' | 'box'>,
  fn: () => Promise<Omit<Row, 'fault' | 'trials'>>,
): Promise<void> {
  try {
    rows.push({ ...row, ...(await fn()) });
  } catch (err) {
    rows.push({
      ...row,
      outcome: `FAILED: ${(err instanceof Error ? err.message : String(err)).split('\n')[0] ?? ''}`,
      once: '?',
      box: '?',
    });
    throw err;
  }
}

/** Its result, or the failure it ended with (type and message); never throws. */
async function settle(
  handle: WorkflowHandle<typeof sendDirective>,
): Promise<{ result?: SendResult; failure?: { type: string; message: string } }> {
  try {
    return { result: await handle.result() };
  } catch (err) {
    const f = applicationFailureIn(err);
    return {
      failure: { type: f?.type ?? (err instanceof Error ? err.name : 'Error'), message: f?.message ?? String(err) },
    };
  }
}

/** Exactly-once and an empty box for one peer and its expected texts. */
async function assertDelivered(peer: ExactPeer, texts: string[], what: string): Promise<void> {
  await waitFor(async () => (await logged(peer)).length >= texts.length, {
    timeoutMs: 15_000,
    what: `${what}: ${texts.length} prompt(s) logged`,
  });
  const got = (await logged(peer)).map((b) => b.toString('utf8'));
  assert.deepEqual([...got].sort(), [...texts].sort(), `${what}: each text submitted exactly once, byte-exact`);
  assert.equal(await boxOf(peer), '', `${what}: nothing left in the input box`);
}

// the outages run alongside the rest (one at a time): the suite takes about the longest outage plus setup;
// its own timeout, above run-tests' 5 min default
describe('fault suite', { concurrency: true, timeout: 7 * 60_000 }, () => {
  describe('outages, each on its own sshd or tmux server', { concurrency: true, timeout: 7 * 60_000 }, () => {
    it(`sshd down ${LONG_OUTAGE_MS / 1000} s right before the paste: exactly once, acked`, async () => {
      await outageTrial('before-paste', LONG_OUTAGE_MS);
    });
    it('sshd down 20 s between the paste and C-m: exactly once, acked', async () => {
      await outageTrial('after-paste', 20_000);
    });
    it('the tmux server killed after the paste: the session recovered, the new agent got the text once', async () => {
      await tmuxKilledTrial();
    });
  });

  describe('crashes, hostile texts, concurrency, locks', { concurrency: 1, timeout: 7 * 60_000 }, () => {
    it('hostile texts: every class of the gate is refused, nothing typed', async () => {
      await hostileTexts();
    });
    it('worker SIGKILL after deliver, after submit, inside awaitAck and at 2 random instants: exactly once', async () => {
      await killTrials();
    });
    it('two workers on one task queue, the one running the send SIGKILLed: exactly once', async () => {
      await twoWorkersTrial();
    });
    it('30 concurrent sends to 3 panes: each exactly once, never interleaved', async () => {
      await concurrentTrial();
    });
    it('a send terminated while it holds the pane lock: the next send gets the pane and is acked', async () => {
      await terminatedLockHolderTrial();
    });
    it('the dev server SIGKILLed mid-send and restarted on its SQLite file: exactly once', async () => {
      await devServerTrial();
    });
  });
});

// ---------------------------------------------------------------------------------------------
// hostile texts

interface Hostile {
  name: string;
  text: string;
}

const HOSTILE: Hostile[] = [
  { name: 'empty', text: '' },
  { name: 'whitespace only', text: '  \n\t \n ' },
  { name: 'NUL', text: 'before\x00after' },
  { name: 'ESC [201~ inside (ends the paste; CR submits, ^U/exit)', text: 'first part\x1b[201~\r\x15/exit\rrest' },
  { name: 'ESC [200~', text: 'dropped part\x1b[200~kept part' },
  { name: 'a lone ESC', text: 'a lone \x1b escape' },
  { name: 'ESC [Z (shift+tab: mode change)', text: 'mode \x1b[Z switch' },
  { name: 'Ctrl-C', text: 'stop \x03\x03 now' },
  { name: 'Ctrl-U', text: 'kill the line \x15/exit' },
  { name: 'DEL', text: 'delete \x7f this' },
  { name: 'C1 U+0085', text: 'next line \u0085 here' },
  { name: 'C1 U+009B (CSI)', text: 'csi \u009b201~ here' },
  { name: 'a leading !', text: '!touch pwned && echo shell' },
  { name: 'a first non-blank /exit', text: '  \n\n /exit' },
  { name: 'a lone surrogate', text: 'half \ud800 a surrogate' },
  { name: `over the size limit (${MAX_TEXT_BYTES + 1} bytes)`, text: 'a'.repeat(MAX_TEXT_BYTES + 1) },
];

/** Runs the built CLI (dist/cli/main.js) against the stack. */
function cli(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'dist', 'cli', 'main.js'), ...args],
      {
        cwd: stack.dir,
        env: { ...process.env, TEMPORAL_ADDRESS: stack.settings.address, TEMPORAL_NAMESPACE: stack.settings.namespace },
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function hostileTexts(): Promise<void> {
  const classes = HOSTILE.length + 1;
  await trialRow(
    {
      fault: `hostile texts: every class of the input gate (${classes}: ${[...HOSTILE.map((h) => h.name), 'invalid UTF-8 (CLI file)'].join('; ')})`,
      trials: `${classes} × startSend, ${classes} × CLI --from-file, ${HOSTILE.length} × workflow started directly`,
    },
    async () => {
      const peer = await addExactPeer(stack, { workMs: 300 });
      const configPath = await writeConfig(stack, [peer], 'hostile');
      const config = configOf(stack, [peer]);
      // 1. startSend (the client's gate): refused, nothing started
      for (const h of HOSTILE) {
        await assert.rejects(
          startSend(stack.env.client, 'unused', { peer: peer.name, text: h.text }),
          (e: unknown) => e instanceof TextRefused,
          `startSend: ${h.name}`,
        );
      }
      // 2. the built CLI with a file: exit 2, the gate's message
      const files: { name: string; path: string; bytes: Buffer }[] = HOSTILE.map((h, i) => ({
        name: h.name,
        path: join(stack.dir, `hostile-${i}.txt`),
        bytes: Buffer.from(h.text, 'utf8'),
      }));
      // a lone surrogate cannot be written as UTF-8: the file holds its would-be bytes ED A0 80 (invalid UTF-8)
      const surrogate = files.find((f) => f.name === 'a lone surrogate');
      if (surrogate) surrogate.bytes = Buffer.from([0x68, 0x61, 0x6c, 0x66, 0x20, 0xed, 0xa0, 0x80]);
      files.push({
        name: 'invalid UTF-8 (CLI file)',
        path: join(stack.dir, 'hostile-latin1.txt'),
        bytes: Buffer.from([0x6f, 0x6b, 0x0a, 0xe9, 0x74, 0xe9, 0x0a]),
      });
      for (const f of files) await writeFile(f.path, f.bytes);
      for (let i = 0; i < files.length; i += 4) {
        const batch = files.slice(i, i + 4);
        const runs = await Promise.all(
          batch.map((f) => cli(['--config', configPath, 'send', peer.name, '--from-file', f.path])),
        );
        runs.forEach((r, k) => {
          const f = batch[k];
          assert.equal(r.code, 2, `CLI ${f?.name}: exit ${r.code}\n${r.stderr}`);
          assert.match(
            r.stderr,
            /refused|empty|white space|control|UTF-8|surrogate|starts with|limit/,
            `CLI ${f?.name}`,
          );
        });
      }
      // nothing started by either: no workflow for this peer
      const started: string[] = [];
      for await (const w of stack.env.client.workflow.list({ query: `Peer = '${peer.name}'` }))
        started.push(w.workflowId);
      assert.deepEqual(started, [], 'no workflow was started for a refused text');
      // 3. the workflow's own gate, started directly (as from the Web UI or the temporal CLI)
      const failures = await withWorker(stack, config, async (taskQueue) =>
        Promise.all(
          HOSTILE.map(async (h) => {
            const handle = await stack.env.client.workflow.start<typeof sendDirective>('sendDirective', {
              workflowId: uniqueQueue(`hostile-direct`),
              taskQueue,
              args: [{ peer: peer.name, text: h.text }],
            });
            return { h, ...(await settle(handle)) };
          }),
        ),
      );
      for (const f of failures) {
        assert.equal(f.result, undefined, `workflow ${f.h.name}: it must not succeed`);
        assert.equal(f.failure?.type, 'InvalidInput', `workflow ${f.h.name}: ${JSON.stringify(f.failure)}`);
      }
      // nothing typed: the agent logged no prompt, its box is empty
      assert.equal((await logged(peer)).length, 0, 'the exact agent logged no prompt');
      assert.equal(await boxOf(peer), '', 'the input box is empty');
      return {
        outcome: `refused: startSend TextRefused ${classes}/${classes}, CLI exit 2 ${classes}/${classes}, workflow InvalidInput ${HOSTILE.length}/${HOSTILE.length}; 0 workflows started by the client side`,
        once: '0 prompts logged (refused, nothing typed)',
        box: 'empty',
      };
    },
  );
}

// ---------------------------------------------------------------------------------------------
// worker SIGKILLs

interface KillPlan {
  label: string;
  /** worker-process kill point: `<activity>` or `<activity>@<ms>`. */
  killAt?: string;
  /** Or: SIGKILL from outside this long after the send started. */
  afterMs?: number;
}

function tally(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${k} ${v}`).join(', ');
}

async function killTrial(plan: KillPlan, i: number): Promise<{ outcome: string; retried: string[] }> {
  const peer = await addExactPeer(stack, { workMs: 1500 });
  const configPath = await writeConfig(stack, [peer], `kill-${i}`);
  const config = configOf(stack, [peer]);
  const taskQueue = uniqueQueue(`chaos-kill-${i}`);
  const doomed = startWorkerChild(stack, configPath, taskQueue, bundle, plan.killAt);
  await doomed.ready;
  const text = `fault trial ${i}: worker SIGKILL ${plan.label}\nsecond line with $(x) and \`y\`; C-m\n\ta tabbed third line`;
  const handle = await startSend(stack.env.client, taskQueue, { peer: peer.name, text });
  let phase = '';
  if (plan.afterMs !== undefined) {
    await delay(plan.afterMs); // the fault's instant, not a synchronisation
    phase = (await handle.query(progressQuery).catch(() => undefined))?.phase ?? '?';
    doomed.child.kill('SIGKILL');
  }
  assert.equal(await doomed.exited, 'SIGKILL', `${plan.label}: the worker was SIGKILLed\n${doomed.output()}`);
  const { result, failure } = await withWorker(stack, config, () => settle(handle), taskQueue);
  const { retried, lastEvents } = await historySummary(handle);
  assert.equal(
    failure,
    undefined,
    `${plan.label}: a false failure: ${JSON.stringify(failure)}; last events:\n${lastEvents.join('\n')}`,
  );
  assert.ok(
    result && (result.outcome === 'acked' || result.outcome === 'unconfirmed'),
    `${plan.label}: ${result?.outcome}`,
  );
  await assertDelivered(peer, [text], plan.label);
  return { outcome: result.outcome, retried: phase ? [`${retried.join('+') || 'none'}, killed in ${phase}`] : retried };
}

async function killTrials(): Promise<void> {
  const rand = seeded(SEED);
  const ackMs = 50 + Math.floor(rand() * 2500);
  const a = 300 + Math.floor(rand() * 3500);
  const b = 300 + Math.floor(rand() * 3500);
  const plans: KillPlan[] = [
    { label: 'right after deliver', killAt: 'deliver' },
    { label: 'right after submit', killAt: 'submit' },
    { label: `${ackMs} ms into awaitAck`, killAt: `awaitAck@${ackMs}` },
    { label: `${a} ms after the start`, afterMs: a },
    { label: `${b} ms after the start`, afterMs: b },
  ];
  await trialRow(
    {
      fault: 'worker SIGKILL at each step boundary and at random instants, then a healthy worker',
      trials: `${plans.length}: ${plans.map((p) => p.label).join('; ')}`,
    },
    async () => {
      const results = await Promise.all(plans.map((p, i) => killTrial(p, i + 1)));
      return {
        outcome: `${tally(results.map((r) => r.outcome))}; failed 0 (retried: ${results.map((r) => r.retried.join('+') || 'none').join(', ')})`,
        once: `${plans.length}/${plans.length}`,
        box: `${plans.length}/${plans.length} empty`,
      };
    },
  );
}

async function twoWorkersTrial(): Promise<void> {
  await trialRow(
    { fault: 'two workers on one task queue, the one running awaitAck SIGKILLed', trials: '1' },
    async () => {
      const peer = await addExactPeer(stack, { workMs: 1500 });
      const configPath = await writeConfig(stack, [peer], 'two-workers');
      const taskQueue = uniqueQueue('chaos-two');
      const workers = [1, 2].map(() => startWorkerChild(stack, configPath, taskQueue, bundle));
      await Promise.all(workers.map((w) => w.ready));
      const text = 'fault trial: two workers, one killed mid-send\nsecond line';
      const handle = await startSend(stack.env.client, taskQueue, { peer: peer.name, text });
      const identity = await waitFor(
        async () => {
          const d = await handle.describe();
          const p = (d.raw.pendingActivities ?? []).find(
            (x) => x.activityType?.name === 'awaitAck' && x.lastWorkerIdentity,
          );
          return p?.lastWorkerIdentity ?? '';
        },
        { timeoutMs: 60_000, intervalMs: 20, what: 'a worker to run awaitAck' },
      );
      const pid = Number(identity.split('@')[0]);
      const victim = workers.find((w) => w.child.pid === pid);
      assert.ok(victim, `awaitAck runs on ${identity}, not one of this trial's workers`);
      victim.child.kill('SIGKILL');
      assert.equal(await victim.exited, 'SIGKILL');
      const { result, failure } = await settle(handle);
      const survivor = workers.find((w) => w !== victim);
      survivor?.child.kill('SIGTERM');
      await survivor?.exited;
      const { retried, lastEvents } = await historySummary(handle);
      assert.equal(failure, undefined, `a false failure: ${JSON.stringify(failure)}\n${lastEvents.join('\n')}`);
      assert.ok(result && (result.outcome === 'acked' || result.outcome === 'unconfirmed'), result?.outcome);
      await assertDelivered(peer, [text], 'two workers');
      return {
        outcome: `${result.outcome} (retried on the other worker: ${retried.join('+') || 'none'})`,
        once: '1/1',
        box: 'empty',
      };
    },
  );
}

// ---------------------------------------------------------------------------------------------
// outages

/** A send whose worker takes the peer's own sshd down for outageMs before the paste or after it. */
async function outageTrial(when: 'after-paste' | 'before-paste', outageMs: number): Promise<void> {
  const length = outageMs >= 60_000 ? `${outageMs / 60_000} min` : `${outageMs / 1000} s`;
  const label = `sshd down ${length} ${when === 'after-paste' ? 'between the paste and C-m' : 'right before the paste'}`;
  const longest = outageMs === LONG_OUTAGE_MS && when === 'before-paste';
  await trialRow(
    {
      fault: label,
      trials: `1${longest ? " (the longest trial, it sets the suite's wall time; it runs alongside the others on its own sshd)" : ''}`,
    },
    async () => {
      const sshd = await startSshd();
      extraCleanups.push(() => sshd.stop());
      const peer = await addExactPeer(stack, { workMs: 1500, sshd });
      const config = configOf(stack, [peer]);
      const taskQueue = uniqueQueue(`chaos-outage-${when}`);
      const pool = new PeerShellPool(peerConnector(config));
      const activities: Activities = createActivities(realDeps(config, pool, stack.env.client, taskQueue));
      let outages = 0;
      let back: Promise<void> | undefined;
      const outage = async (): Promise<void> => {
        if (outages > 0) return;
        outages++;
        await sshd.down();
        back = delay(outageMs).then(() => sshd.up()); // the outage's length, not a synchronisation
      };
      const deliver = activities.deliver;
      activities.deliver = async (input) => {
        if (when === 'before-paste') await outage();
        const r = await deliver(input);
        if (when === 'after-paste') await outage();
        return r;
      };
      const text = `fault trial: ${label}\nthe text must arrive once; C-m and $(x)`;
      const waits: string[] = [];
      try {
        const worker = await Worker.create({
          connection: stack.env.nativeConnection,
          namespace: stack.settings.namespace,
          taskQueue,
          activities,
          workflowBundle: await workflowBundle(),
        });
        const { result, failure, handle } = await worker.runUntil(async () => {
          const h = await startSend(stack.env.client, taskQueue, { peer: peer.name, text });
          let finished = false;
          const watching = (async () => {
            while (!finished) {
              const p = await h.query(progressQuery).catch(() => undefined);
              if (p?.waitingFor && !waits.includes(p.waitingFor)) waits.push(p.waitingFor);
              if (p?.phase === 'finished') return;
              await delay(1000); // a poll interval
            }
          })();
          const r = await settle(h);
          finished = true;
          await watching;
          return { ...r, handle: h };
        });
        await back;
        const { lastEvents } = await historySummary(handle);
        assert.equal(failure, undefined, `a false failure: ${JSON.stringify(failure)}\n${lastEvents.join('\n')}`);
        assert.equal(result?.outcome, 'acked', JSON.stringify(result?.steps));
        assert.equal(outages, 1, 'the outage happened once');
        const shown = waits.filter((w) => /unreachable/.test(w));
        assert.ok(shown.length > 0, `the wait was shown live: ${JSON.stringify(waits)}`);
        process.stdout.write(`${label}: waits shown:\n${waits.join('\n')}\n`);
        await assertDelivered(peer, [text], label);
        // the steps the send waited in, as the progress query showed them (each once, in order)
        const during = [...new Set(shown.map((w) => /unreachable during (.*?) \(/.exec(w)?.[1] ?? w))];
        return {
          outcome: `acked; the wait shown live during: ${during.join(', then ')}`,
          once: '1/1',
          box: 'empty',
        };
      } finally {
        await back;
        await pool.closeAll();
      }
    },
  );
}

async function tmuxKilledTrial(): Promise<void> {
  await trialRow(
    { fault: 'tmux server killed after the paste (recovery: tmux, the exact agent command)', trials: '1' },
    async () => {
      const tmux = await TmuxServer.start('chaos-kill');
      extraCleanups.push(() => tmux.kill());
      const peer = await addExactPeer(stack, { workMs: 1500, tmux });
      const config = configOf(stack, [peer]);
      const taskQueue = uniqueQueue('chaos-tmux-kill');
      const pool = new PeerShellPool(peerConnector(config));
      const activities: Activities = createActivities(realDeps(config, pool, stack.env.client, taskQueue));
      let delivers = 0;
      let boxBeforeKill = '';
      const deliver = activities.deliver;
      activities.deliver = async (input) => {
        const r = await deliver(input);
        if (delivers++ === 0) {
          boxBeforeKill = (await boxOf(peer)) ?? '';
          await tmux.run(['kill-server']);
        }
        return r;
      };
      const text = 'fault trial: the tmux server killed after the paste\nthe new agent must get this once';
      try {
        const worker = await Worker.create({
          connection: stack.env.nativeConnection,
          namespace: stack.settings.namespace,
          taskQueue,
          activities,
          workflowBundle: await workflowBundle(),
        });
        const { result, failure, handle } = await worker.runUntil(async () => {
          const h = await startSend(stack.env.client, taskQueue, { peer: peer.name, text });
          return { ...(await settle(h)), handle: h };
        });
        const { lastEvents } = await historySummary(handle);
        assert.match(
          boxBeforeKill,
          /the tmux server killed after the paste/,
          'the text sat in the box when the server died',
        );
        assert.equal(failure, undefined, `failed: ${JSON.stringify(failure)}\nlast events:\n${lastEvents.join('\n')}`);
        assert.equal(result?.outcome, 'acked');
        assert.ok(delivers >= 2, `delivered again after the recovery (deliver ran ${delivers} times)`);
        await assertDelivered(peer, [text], 'tmux server killed');
        return {
          outcome: `acked; the session recovered and the text delivered again (deliver ran ${delivers}×)`,
          once: '1/1 (by the new agent)',
          box: 'empty',
        };
      } finally {
        await pool.closeAll();
      }
    },
  );
}

// ---------------------------------------------------------------------------------------------
// concurrency and the pane lock

async function concurrentTrial(): Promise<void> {
  await trialRow({ fault: '30 concurrent sends to 3 panes (10 each), one worker', trials: '30' }, async () => {
    const panes = await Promise.all(
      [1, 2, 3].map(() => addExactPeer(stack, { workMs: 300, ack: { confirm: '1s', timeout: '15s' } })),
    );
    const config = configOf(stack, panes);
    const texts = new Map<ExactPeer, string[]>(
      panes.map((p) => [
        p,
        Array.from(
          { length: 10 },
          (_, k) =>
            `concurrent ${k + 1} to ${p.name}: first line\nsecond line of ${k + 1}\nthird line of ${k + 1}, the end`,
        ),
      ]),
    );
    const settled = await withWorker(stack, config, async (taskQueue) =>
      Promise.all(
        panes.flatMap((p) =>
          (texts.get(p) ?? []).map(async (text) =>
            settle(await startSend(stack.env.client, taskQueue, { peer: p.name, text })),
          ),
        ),
      ),
    );
    assert.deepEqual(
      settled.filter((r) => r.failure).map((r) => r.failure),
      [],
      'no send failed',
    );
    for (const p of panes) await assertDelivered(p, texts.get(p) ?? [], `pane ${p.name}`);
    // which sends ended unconfirmed, in each pane's order of delivery (the agent's log)
    const order = new Map<string, number>();
    for (const p of panes) (await logged(p)).forEach((b, n) => order.set(b.toString('utf8'), n + 1));
    const unconfirmed = settled
      .map((r, i) => ({ r, text: [...texts.values()].flat()[i] ?? '' }))
      .filter(({ r }) => r.result?.outcome === 'unconfirmed');
    if (unconfirmed.length > 0) {
      process.stdout.write(
        `30 concurrent: ${unconfirmed.length} unconfirmed, delivered as number ${unconfirmed.map((u) => order.get(u.text)).join(', ')} in their pane; e.g. ${JSON.stringify(unconfirmed[0]?.r.result?.ackEvidence)}\n`,
      );
    }
    const why =
      unconfirmed.length > 0
        ? ` (the unconfirmed were send no. ${unconfirmed.map((u) => order.get(u.text)).join(', ')} of their pane: a 300 ms turn that ended inside the 1 s confirmation window once the pane's history was full, where the on-screen echo and done counts no longer grow, so the ack step waited out its 15 s timeout; the text had arrived)`
        : '';
    return {
      outcome: `${tally(settled.map((r) => r.result?.outcome ?? 'failed'))}${why}`,
      once: '30/30, each logged prompt one whole text',
      box: '3/3 empty',
    };
  });
}

async function terminatedLockHolderTrial(): Promise<void> {
  await trialRow(
    {
      fault: 'terminated lock holder (terminated while it holds the pane lock and waits for a busy agent)',
      trials: '1',
    },
    async () => {
      const peer = await addExactPeer(stack, { workMs: 15_000 });
      const config = configOf(stack, [peer]);
      return withWorker(stack, config, async (taskQueue) => {
        // the agent is busy with someone's work (typed by the test: one prompt in its log)
        const busy = 'a long task typed by hand before the sends';
        const target = `${peer.session}:0.0`;
        await peer.tmux.paste(target, busy, ['send-keys', '-t', target, 'C-m']);
        await waitFor(async () => (await logged(peer)).length === 1, { timeoutMs: 10_000, what: 'the busy prompt' });
        const holder = await startSend(stack.env.client, taskQueue, {
          peer: peer.name,
          text: 'the lock holder: terminated before it can paste',
        });
        await waitFor(
          async () => {
            const p = await holder.query(progressQuery);
            return (
              p.steps.some((st) => st.step === 'paneLock' && st.status === 'done') && /busy/.test(p.waitingFor ?? '')
            );
          },
          { timeoutMs: 30_000, what: 'the holder to hold the lock and wait for the busy agent' },
        );
        await holder.terminate('fault suite: terminated while it holds the pane lock');
        const terminatedAt = Date.now();
        const nextText = 'the next send after a terminated lock holder';
        const next = await startSend(stack.env.client, taskQueue, { peer: peer.name, text: nextText });
        let granted = false;
        let lastWait = '';
        try {
          await waitFor(
            async () => {
              const p = await next.query(progressQuery);
              lastWait = p.waitingFor ?? '';
              return p.steps.some((st) => st.step === 'paneLock' && st.status === 'done');
            },
            {
              timeoutMs: 90_000,
              intervalMs: 200,
              what: 'the next send to get the pane lock',
            },
          );
          granted = true;
        } finally {
          if (!granted) await next.terminate('fault suite: the pane lock never came').catch(() => undefined);
        }
        const lockAfterMs = Date.now() - terminatedAt;
        const { result, failure } = await settle(next);
        assert.equal(failure, undefined, `the next send failed: ${JSON.stringify(failure)} (last wait: ${lastWait})`);
        assert.equal(result?.outcome, 'acked');
        await assertDelivered(peer, [busy, nextText], 'terminated lock holder');
        return {
          outcome: `the next send acked; it got the pane ${(lockAfterMs / 1000).toFixed(1)} s after the holder was terminated`,
          once: '1/1 (the terminated holder typed nothing)',
          box: 'empty',
        };
      });
    },
  );
}

// ---------------------------------------------------------------------------------------------
// the dev server SIGKILLed and restarted on its SQLite file

async function devServerTrial(): Promise<void> {
  // the server dies inside the step, after its real work and before it can report: the worst moment
  const plans = [
    { step: 'deliver', label: 'right after the paste (the text in the box, C-m not pressed)' },
    { step: 'submit', label: 'right after C-m' },
  ] as const;
  await trialRow(
    {
      fault:
        'Temporal dev server SIGKILLed mid-send and restarted on the same SQLite file (temporal server start-dev --db-filename)',
      trials: `${plans.length}: ${plans.map((p) => p.label).join('; ')}`,
    },
    async () => {
      const ds = devServer(await freePort(), join(stack.dir, 'chaos-dev.sqlite'));
      extraCleanups.push(() => ds.kill());
      await ds.start();
      const connection = await Connection.connect({ address: ds.address });
      extraCleanups.push(() => connection.close());
      const nativeConnection = await NativeConnection.connect({ address: ds.address });
      extraCleanups.push(() => nativeConnection.close());
      const client = new Client({ connection, namespace: 'default' });
      const peer = await addExactPeer(stack, { workMs: 1500 });
      const config = configOf(stack, [peer]);
      const taskQueue = uniqueQueue('chaos-dev-server');
      const pool = new PeerShellPool(peerConnector(config));
      const activities: Activities = createActivities(realDeps(config, pool, client, taskQueue));
      let killAfter: 'deliver' | 'submit' | null = null;
      const restarts: string[] = [];
      const restartIf = async (step: 'deliver' | 'submit'): Promise<void> => {
        if (killAfter !== step) return;
        killAfter = null;
        restarts.push(`${step}: box ${JSON.stringify(((await boxOf(peer)) ?? '').slice(0, 20))}`);
        await ds.kill();
        await ds.start();
      };
      const { deliver, submit } = activities;
      activities.deliver = async (input) => {
        const r = await deliver(input);
        await restartIf('deliver');
        return r;
      };
      activities.submit = async (input) => {
        const r = await submit(input);
        await restartIf('submit');
        return r;
      };
      const texts = plans.map((p, k) => `fault trial: the dev server killed ${p.label}\nsecond line ${k + 1}`);
      const outcomes: string[] = [];
      try {
        const worker = await Worker.create({
          connection: nativeConnection,
          namespace: 'default',
          taskQueue,
          activities,
          workflowBundle: await workflowBundle(),
        });
        await worker.runUntil(async () => {
          for (const [k, plan] of plans.entries()) {
            killAfter = plan.step;
            const handle = await startSend(client, taskQueue, { peer: peer.name, text: texts[k] ?? '' });
            const { result, failure } = await settle(handle);
            const { retried, lastEvents } = await historySummary(handle);
            assert.equal(killAfter, null, `${plan.label}: the server was killed`);
            assert.equal(
              failure,
              undefined,
              `${plan.label}: a false failure: ${JSON.stringify(failure)}\n${lastEvents.join('\n')}`,
            );
            assert.ok(result && (result.outcome === 'acked' || result.outcome === 'unconfirmed'), result?.outcome);
            outcomes.push(`${result.outcome} (retried: ${retried.join('+') || 'none'})`);
          }
        });
      } finally {
        await pool.closeAll();
      }
      await assertDelivered(peer, texts, 'dev server restart');
      return {
        outcome: `${outcomes.join('; ')}; restarted after ${restarts.join(', after ')}`,
        once: `${plans.length}/${plans.length}`,
        box: 'empty',
      };
    },
  );
}

/**
 * The send, end to end: real Temporal dev server, real worker, real sshd on 127.0.0.1, real
 * tmux, stand-in agents that behave like Claude Code on screen.
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { followSend, startSend } from '../../src/client/send';
import type { SendProgress } from '../../src/contracts/send';
import {
  addAgent,
  dialogInput,
  makeConfig,
  prompts,
  startStack,
  withWorker,
  writeCredentials,
  type Stack,
} from '../helpers/stack';
import { applicationFailureIn } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

const NASTY = `it's a \`test\` with $(rm -rf /tmp/nope) ; echo pwned && C-m Enter "quoted" \\ back ünïcødé ✓ 😀`;

describe('sendDirective over SSH and tmux', () => {
  it('light send: acked, the agent receives the text byte-exact', async () => {
    const peer = await addAgent(stack);
    const config = makeConfig(stack, [peer]);
    const result = await withWorker(stack, config, async (tq) => {
      const h = await startSend(stack.env.client, tq, { peer: peer.name, text: NASTY });
      return h.result();
    });
    assert.equal(result.outcome, 'acked');
    assert.equal(result.path, 'light');
    const got = await prompts(peer);
    assert.equal(got.length, 1);
    assert.equal(got[0]!.toString('utf8'), NASTY);
    assert.deepEqual(
      result.steps.filter((s) => s.status !== 'skipped').map((s) => s.step),
      ['preflight', 'paneLock', 'inspectScreen', 'deliver', 'submit', 'awaitAck', 'audit'],
    );
  });

  it('heavy send: tabs, CRLF (as LF), unicode and a 5,000-line text arrive exact', async () => {
    const peer = await addAgent(stack);
    const config = makeConfig(stack, [peer]);
    const multi = `line one\twith tab\r\nline two ${NASTY}\nlast line without newline`;
    const big = Array.from(
      { length: 5000 },
      (_, i) => `${i}: ${i % 7 === 0 ? NASTY : 'lorem ipsum dolor sit amet'}`,
    ).join('\n');
    const results = await withWorker(stack, config, async (tq) => {
      const r1 = await (await startSend(stack.env.client, tq, { peer: peer.name, text: multi })).result();
      await waitFor(async () => !/esc to interrupt/.test(await stack.tmux.capture(`${peer.session}:0.0`)), {
        timeoutMs: 15_000,
        what: 'agent idle again',
      });
      const r2 = await (await startSend(stack.env.client, tq, { peer: peer.name, text: big, mode: 'heavy' })).result();
      return [r1, r2];
    });
    assert.deepEqual(
      results.map((r) => [r.outcome, r.path]),
      [
        ['acked', 'heavy'],
        ['acked', 'heavy'],
      ],
    );
    const got = await prompts(peer);
    assert.equal(got.length, 2);
    // the input gate turns CRLF into LF once, as Claude Code itself would
    assert.ok(got[0]!.equals(Buffer.from(multi.replace(/\r\n?/g, '\n'), 'utf8')), 'multi-line text differs');
    assert.ok(got[1]!.equals(Buffer.from(big, 'utf8')), '5,000-line text differs');
  });

  it("a failing turn is never acked: 429 → delivered again after the pause, then failed with the agent's words; an OAuth usage limit → queued, never sent again", async () => {
    const limited = await addAgent(stack, { rateLimit: true });
    const usage = await addAgent(stack, { usageLimitMs: 4000 });
    const config = makeConfig(stack, [
      { ...limited, entry: { ...limited.entry, ack: { timeout: '20s', rateLimitPause: '1s', rateLimitWait: '3s' } } },
      usage,
    ]);
    const [rl, ul] = await withWorker(stack, config, async (tq) => {
      const a = await startSend(stack.env.client, tq, { peer: limited.name, text: 'rate limited text' });
      const rlOutcome = await a.result().then(
        (r) => r.outcome as string,
        (err: unknown) => (err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err)),
      );
      const b = await (
        await startSend(stack.env.client, tq, { peer: usage.name, text: 'usage limited text' })
      ).result();
      return [rlOutcome, b];
    });
    assert.match(rl, /rate-limited \("API Error: Request rejected \(429\).*the most a send waits is/, rl);
    // delivered once, then again after each 1 s pause while the 3 s limit allowed; never acked
    assert.deepEqual((await prompts(limited)).map(String), Array<string>(4).fill('rate limited text'));
    assert.equal(ul.outcome, 'queued');
    assert.match(ul.ackEvidence, /usage limit.*nothing is sent again/);
    assert.deepEqual((await prompts(usage)).map(String), ['usage limited text']);
  });

  it('recovers a dead tmux session (tmux method) before sending', async () => {
    const peer = await addAgent(stack, {}, { start: false });
    const config = makeConfig(stack, [peer]);
    const result = await withWorker(stack, config, async (tq) =>
      (await startSend(stack.env.client, tq, { peer: peer.name, text: 'after recovery' })).result(),
    );
    assert.equal(result.outcome, 'acked');
    const rec = result.steps.find((s) => s.step === 'recoverSession');
    assert.equal(rec?.status, 'done');
    assert.deepEqual((await prompts(peer)).map(String), ['after recovery']);
  });

  it('pushes credentials expiring within the window (0600, atomic, backup kept), never recording the token', async () => {
    const peer = await addAgent(stack, {}, { peerExpiresAt: Date.now() + 30 * 60_000 });
    const config = makeConfig(stack, [peer]);
    const before = await readFile(peer.credentialsPath);
    const result = await withWorker(stack, config, async (tq) =>
      (await startSend(stack.env.client, tq, { peer: peer.name, text: 'with fresh creds' })).result(),
    );
    assert.equal(result.outcome, 'acked');
    const step = result.steps.find((s) => s.step === 'refreshCredentials');
    assert.equal(step?.status, 'done');
    assert.match(step?.detail ?? '', /^pushed/);
    const now = await readFile(peer.credentialsPath);
    assert.deepEqual(now, await readFile(stack.controllerCredentials));
    assert.equal((await stat(peer.credentialsPath)).mode & 0o777, 0o600);
    const { readdir } = await import('node:fs/promises');
    const files = await readdir(peer.dir);
    const backups = files.filter((f) => f.startsWith('credentials.json.bak-'));
    assert.equal(backups.length, 1, `one backup expected, found ${files.join(', ')}`);
    assert.deepEqual(await readFile(`${peer.dir}/${backups[0]}`), before);
    assert.equal((await stat(`${peer.dir}/${backups[0]}`)).mode & 0o777, 0o600);
    assert.equal(files.filter((f) => f.includes('.tmp')).length, 0, 'no temp file left');
    // the token appears nowhere in history or the audit log
    const history = JSON.stringify(await stack.env.client.workflow.getHandle(result.workflowId).fetchHistory());
    assert.ok(!history.includes('sk-ant-'), 'token text found in workflow history');
    assert.ok(!(await readFile(stack.auditLog, 'utf8')).includes('sk-ant-'), 'token text found in the audit log');
  });

  it('leaves credentials valid beyond the window alone', async () => {
    const peer = await addAgent(stack);
    const config = makeConfig(stack, [peer]);
    const before = await readFile(peer.credentialsPath);
    const result = await withWorker(stack, config, async (tq) =>
      (await startSend(stack.env.client, tq, { peer: peer.name, text: 'no refresh needed' })).result(),
    );
    assert.equal(result.steps.find((s) => s.step === 'refreshCredentials')?.status, 'skipped');
    assert.deepEqual(await readFile(peer.credentialsPath), before);
  });

  it('refuses to push when the controller token is near expiry too (non-retryable, readable)', async () => {
    const peer = await addAgent(stack, {}, { peerExpiresAt: Date.now() + 10 * 60_000 });
    const config = makeConfig(stack, [peer]);
    await writeCredentials(stack.controllerCredentials, Date.now() + 60 * 60_000, 'sk-ant-controller-SHORT-0123456789');
    try {
      const err = await withWorker(stack, config, async (tq) =>
        (await startSend(stack.env.client, tq, { peer: peer.name, text: 'x' })).result().then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      assert.ok(err instanceof WorkflowFailedError);
      const f = applicationFailureIn(err);
      assert.equal(f?.type, 'ControllerCredentials');
      assert.match(f?.message ?? '', /controller's own token expires in/);
      assert.equal((await prompts(peer)).length, 0);
    } finally {
      await writeCredentials(
        stack.controllerCredentials,
        Date.now() + 10 * 86_400_000,
        'sk-ant-controller-SECRET-0123456789',
      );
    }
  });

  it('recovers a swallowed Enter by pressing C-m again (once the screen proves the text is unsent)', async () => {
    const peer = await addAgent(stack, { pasteEnterWindowMs: 1500 });
    const config = makeConfig(stack, [peer]);
    const result = await withWorker(stack, config, async (tq) =>
      (await startSend(stack.env.client, tq, { peer: peer.name, text: 'swallowed enter\nsecond line' })).result(),
    );
    assert.equal(result.outcome, 'acked');
    assert.ok(result.extraEnters >= 1, `expected an extra C-m, got ${result.extraEnters}`);
    assert.deepEqual((await prompts(peer)).map(String), ['swallowed enter\nsecond line']);
  });

  it('stops at a dialog, names it, and types nothing into it', async () => {
    const peer = await addAgent(stack, { trustDialog: true });
    const config = makeConfig(stack, [peer]);
    const err = await withWorker(stack, config, async (tq) =>
      (await startSend(stack.env.client, tq, { peer: peer.name, text: 'must not be typed' })).result().then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    const f = applicationFailureIn(err);
    assert.equal(f?.type, 'DialogOnScreen');
    assert.equal(f?.nonRetryable, true);
    assert.match(f?.message ?? '', /trust dialog/);
    assert.deepEqual(await dialogInput(peer), []);
    assert.equal((await prompts(peer)).length, 0);
    assert.match(await stack.tmux.capture(`${peer.session}:0.0`), /Yes, I trust this folder/);
  });

  it('waits for a busy agent, visibly, then sends; with queue it sends at once and reports queued', async () => {
    // 10 s of work: long enough that a loaded machine still reaches the ready step while the
    // agent is busy (at 4 s, under load 15+, the send sometimes arrived after the work ended)
    const peer = await addAgent(stack, { workMs: 10_000 });
    const config = makeConfig(stack, [peer]);
    // make it busy: a prompt typed by hand
    await stack.tmux.run(['send-keys', '-t', `${peer.session}:0.0`, '-l', 'busy work']);
    await stack.tmux.run(['send-keys', '-t', `${peer.session}:0.0`, 'C-m']);
    await waitFor(async () => /esc to interrupt/.test(await stack.tmux.capture(`${peer.session}:0.0`)), {
      timeoutMs: 10_000,
      what: 'agent working',
    });
    const seen: SendProgress[] = [];
    const { waited, queued } = await withWorker(stack, config, async (tq) => {
      const h = await startSend(stack.env.client, tq, { peer: peer.name, text: 'after the busy work' });
      const waited = await followSend(h, (p) => seen.push(structuredClone(p)), 100);

      // busy again, now sent with queue: no waiting, the text is queued behind the work
      await waitFor(async () => !/esc to interrupt/.test(await stack.tmux.capture(`${peer.session}:0.0`)), {
        timeoutMs: 30_000,
        what: 'agent idle',
      });
      await stack.tmux.run(['send-keys', '-t', `${peer.session}:0.0`, '-l', 'more busy work']);
      await stack.tmux.run(['send-keys', '-t', `${peer.session}:0.0`, 'C-m']);
      await waitFor(async () => /esc to interrupt/.test(await stack.tmux.capture(`${peer.session}:0.0`)), {
        timeoutMs: 10_000,
        what: 'agent working',
      });
      const h2 = await startSend(stack.env.client, tq, { peer: peer.name, text: 'queued text', queue: true });
      return { waited, queued: await h2.result() };
    });
    assert.equal(waited.outcome, 'acked');
    assert.ok(
      seen.some((p) => /agent busy/.test(p.waitingFor ?? '')),
      'progress never showed the busy wait',
    );
    assert.equal(waited.steps.find((st) => st.step === 'waitIdle')?.status, 'done');
    assert.equal(queued.outcome, 'queued');
    assert.equal(
      queued.steps.find((st) => st.step === 'waitIdle'),
      undefined,
    );
    await waitFor(async () => (await prompts(peer)).map(String).includes('queued text'), {
      timeoutMs: 20_000,
      what: 'queued text taken as the next turn',
    });
    assert.deepEqual((await prompts(peer)).map(String), [
      'busy work',
      'after the busy work',
      'more busy work',
      'queued text',
    ]);
  });

  it('takes a pane out of copy mode before typing', async () => {
    const peer = await addAgent(stack);
    const config = makeConfig(stack, [peer]);
    await stack.tmux.run(['copy-mode', '-t', `${peer.session}:0.0`]);
    const mode = await stack.tmux.run(['display-message', '-p', '-t', `${peer.session}:0.0`, '#{pane_in_mode}']);
    assert.equal(mode.stdout.trim(), '1', 'the pane should be in copy mode before the send');
    const result = await withWorker(stack, config, async (tq) =>
      (await startSend(stack.env.client, tq, { peer: peer.name, text: 'typed after copy mode' })).result(),
    );
    assert.equal(result.outcome, 'acked');
    assert.match(result.steps.find((st) => st.step === 'inspectScreen')?.detail ?? '', /left copy mode/);
    assert.deepEqual((await prompts(peer)).map(String), ['typed after copy mode']);
  });

  it('two concurrent sends to one pane arrive whole, one after the other', async () => {
    const peer = await addAgent(stack, { workMs: 800 });
    const config = makeConfig(stack, [peer]);
    const a = Array.from({ length: 30 }, (_, i) => `A${i} aaaaaaaaaaaaaaaa`).join('\n');
    const b = Array.from({ length: 30 }, (_, i) => `B${i} bbbbbbbbbbbbbbbb`).join('\n');
    const results = await withWorker(stack, config, async (tq) => {
      const [ha, hb] = await Promise.all([
        startSend(stack.env.client, tq, { peer: peer.name, text: a }),
        startSend(stack.env.client, tq, { peer: peer.name, text: b }),
      ]);
      return Promise.all([ha.result(), hb.result()]);
    });
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['acked', 'acked'],
    );
    const got = (await prompts(peer)).map(String).sort();
    assert.deepEqual(got, [a, b].sort());
  });
});

describe('failures a person can act on', () => {
  it('an unreachable peer is ridden out for its outage window, then fails with a readable reason', async () => {
    const peer = await addAgent(stack, {}, { start: false, entry: { port: 1, thresholds: { outageWindow: '12s' } } });
    const config = makeConfig(stack, [peer]);
    const { err, workflowId } = await withWorker(stack, config, async (tq) => {
      const h = await startSend(stack.env.client, tq, { peer: peer.name, text: 'x' });
      return {
        err: await h.result().then(
          () => undefined,
          (e: unknown) => e,
        ),
        workflowId: h.workflowId,
      };
    });
    const f = applicationFailureIn(err);
    assert.equal(f?.type, 'PeerUnreachable');
    assert.ok(f?.message.includes(peer.name) && f.message.includes('127.0.0.1:1'), f?.message);
    assert.match(
      f?.message ?? '',
      /stayed unreachable for .* \(the outage window is 12 s, thresholds\.outageWindow\) during preflight/,
    );
    // retried: each preflight failed on its 4th attempt (the retry policy's last), then the
    // workflow tried again on durable timers until the outage window was used up
    const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'preflight');
    assert.ok(scheduled.length >= 2, `preflight scheduled ${scheduled.length} times`);
    const attempts = events
      .filter((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled[0]?.eventId))
      .map((e) => e.activityTaskStartedEventAttributes?.attempt);
    assert.equal(attempts[0], 4, `preflight attempts: ${attempts.join(',')}`);
    assert.ok(
      events.some((e) => e.timerStartedEventAttributes),
      'the wait between tries is a durable timer',
    );
  });

  it('an unknown host key is refused, non-retryably, with its fingerprint', async () => {
    const unknownHosts = await stack.sshd.writeKnownHosts('none', 'empty_known_hosts');
    const peer = await addAgent(stack, {}, { start: false, entry: { knownHosts: unknownHosts } });
    const config = makeConfig(stack, [peer]);
    const err = await withWorker(stack, config, async (tq) =>
      (await startSend(stack.env.client, tq, { peer: peer.name, text: 'x' })).result().then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    const f = applicationFailureIn(err);
    assert.equal(f?.type, 'UnknownHostKey');
    assert.equal(f?.nonRetryable, true);
    assert.ok(f?.message.includes(stack.sshd.hostKeyFingerprint), f?.message);
  });
});

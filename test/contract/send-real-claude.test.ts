/**
 * `peer-comms send` end to end against the REAL Claude Code: real Temporal dev server and
 * worker, real sshd on 127.0.0.1, real tmux, and claude (pinned, offline, fake Messages API)
 * started by peer-comms' own recovery (`recovery: {method: tmux, command}` with its receipt hooks
 * appended), exactly as on a peer. Each scenario has its own claude, tmux server and fake API.
 *
 * Scenarios (FINDINGS.md §6): a killed session recovered then a plain send acked from the hook
 * receipt; a 300-line text; a 401 during the send (OAuth, like a peer): never acked while the API
 * refuses the token, recovered by the credentials push and a `--continue` restart; a 429: never
 * acked while refused, the next send is delivered; the trust dialog: nothing typed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startSend } from '../../src/client/send';
import type { SendProgress, SendResult } from '../../src/contracts/send';
import { canonicalPrompt } from '../../src/receipts/rewrites';
import { progressQuery } from '../../src/workflows/definitions';
import { FakeAnthropic, type RecordedRequest } from '../helpers/fake-anthropic';
import { makeConfig, startStack, withWorker, type Stack } from '../helpers/stack';
import { applicationFailureIn, uniqueQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { ClaudeHarness, type HarnessOptions } from './claude-harness';

let stack: Stack | undefined;
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  stack = await startStack();
});
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await stack?.stop();
});

function theStack(): Stack {
  if (!stack) throw new Error('stack not started');
  return stack;
}

interface RealPeer {
  name: string;
  api: FakeAnthropic;
  cc: ClaudeHarness;
  entry: Record<string, unknown>;
}

let peerCount = 0;
const peers: RealPeer[] = [];
const taskQueue = uniqueQueue('contract');

/** A fake API and a claude harness (not started) reachable as a peer over sshd + tmux. */
async function realPeer(
  opts: Omit<HarnessOptions, 'api' | 'hooks'> = {},
  entry: Record<string, unknown> = {},
): Promise<RealPeer> {
  const s = theStack();
  const api = await FakeAnthropic.start();
  cleanups.push(() => api.close());
  // peer-comms appends its own --settings (receipt hooks), as on a real peer
  const cc = await ClaudeHarness.create({ ...opts, api, hooks: false, prefix: 'send' });
  cleanups.push(() => cc.cleanup());
  peerCount++;
  const name = `claude${peerCount}`;
  const credentialsPath = opts.auth === 'oauth-file' ? cc.credentialsPath() : join(cc.root, 'unused-credentials.json');
  const peer: RealPeer = {
    name,
    api,
    cc,
    entry: {
      host: s.sshd.host,
      port: s.sshd.port,
      user: s.sshd.user,
      privateKey: s.sshd.privateKeyPath,
      knownHosts: s.sshd.knownHostsPath,
      tmux: { socket: cc.tmux.socketName, target: `${cc.session}:0` },
      workdir: cc.workdir,
      credentialsPath,
      stagingDir: join(cc.root, 'staging'),
      agentStateDir: join(cc.root, 'agent-state'),
      claudeDir: join(cc.home, '.claude'),
      recovery: { method: 'tmux', command: cc.commandLine(), width: 200, height: 50, readyTimeout: '45s' },
      ack: { timeout: '30s', busyWait: '60s' },
      ...entry,
    },
  };
  peers.push(peer);
  return peer;
}

/**
 * One send through a fresh worker; a send still running after `timeoutMs` is terminated and
 * the test fails with its last progress and the agent's screen (instead of hanging the file).
 */
async function send(
  peer: RealPeer,
  text: string,
  extra: { mode?: 'heavy' | 'light'; queue?: boolean } = {},
  timeoutMs = 120_000,
): Promise<SendResult> {
  const s = theStack();
  // one task queue for the whole file: a pane lock taken by one send is released through it
  const config = makeConfig(s, [], Object.fromEntries(peers.map((p) => [p.name, p.entry])));
  return withWorker(
    s,
    config,
    async (tq) => {
      const handle = await startSend(s.env.client, tq, { peer: peer.name, text, ...extra });
      // progress is polled here (not with followSend) so no query outlives the send
      let last: SendProgress | undefined;
      let polling = true;
      const poller = (async () => {
        while (polling) {
          last = (await handle.query(progressQuery).catch(() => undefined)) ?? last;
          await delay(250);
        }
      })();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((done) => {
        timer = setTimeout(() => done('timeout'), timeoutMs);
      });
      try {
        const res = await Promise.race([handle.result(), timeout]);
        if (res !== 'timeout') return res;
        await handle.terminate('contract test timeout').catch(() => undefined);
        const screen = await peer.cc.capture().catch(() => '(no screen)');
        throw new Error(
          `send still running after ${timeoutMs} ms; last progress: ${JSON.stringify(last)}\n--- screen ---\n${screen}`,
        );
      } finally {
        clearTimeout(timer);
        polling = false;
        await poller;
      }
    },
    taskQueue,
  );
}

function withQueue(peer: RealPeer, text: string): Promise<SendResult> {
  return send(peer, text, { queue: true });
}

const sha256 = (t: string): string => createHash('sha256').update(canonicalPrompt(t), 'utf8').digest('hex');

/** The user-message texts of one request, with the paste wrapper and rewrites undone. */
function canonicalTexts(r: RecordedRequest): string[] {
  const body = r.body as { messages?: { role: string; content: unknown }[] };
  return (body.messages ?? [])
    .filter((m) => m.role === 'user')
    .flatMap((m) => (typeof m.content === 'string' ? [m.content] : contentBlocks(m.content)))
    .map(canonicalPrompt);
}

function contentBlocks(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  return (content as { type?: string; text?: string }[]).filter((b) => b.type === 'text').map((b) => b.text ?? '');
}

/** The user-message texts the fake API received (canonical), optionally only authorized requests. */
function receivedCanonical(api: FakeAnthropic, authorizedOnly = false): string[] {
  return api
    .messageRequests()
    .filter((r) => !authorizedOnly || r.authorized)
    .flatMap(canonicalTexts);
}

describe('peer-comms send to the real Claude Code over SSH and tmux', { timeout: 280_000 }, () => {
  let plain: RealPeer;

  it('a killed session is recovered with the receipt hooks, and a plain send is acked from the hook receipt', async () => {
    plain = await realPeer({ auth: 'oauth-file' });
    const text = `plain send ; C-m -x "quoted" $HOME \`id\` ünï 🚀`;
    const result = await send(plain, text);
    assert.equal(result.outcome, 'acked', result.ackEvidence);
    assert.equal(result.ackSource, 'hook', result.ackEvidence);
    assert.equal(result.sha256, sha256(text));
    assert.equal(result.steps.find((s) => s.step === 'recoverSession')?.status, 'done');
    assert.ok(receivedCanonical(plain.api).includes(canonicalPrompt(text)), 'the API received the text');
    const events = await readFile(
      join(plain.cc.root, 'agent-state', `${plain.cc.tmux.socketName}.${plain.cc.session}.events.jsonl`),
      'utf8',
    ).catch(() => '');
    assert.match(events, /"event":"UserPromptSubmit"/, 'peer-comms hook log');
  });

  it('a 300-line text with TABs is acked from the hook receipt (paste wrapper and TABs undone)', async () => {
    const text = Array.from({ length: 300 }, (_, i) => `${i}\tline ; -x C-m ünï`).join('\n');
    const result = await send(plain, text, { mode: 'heavy' });
    assert.equal(result.outcome, 'acked', result.ackEvidence);
    assert.equal(result.ackSource, 'hook', result.ackEvidence);
    assert.equal(result.path, 'heavy');
    assert.ok(receivedCanonical(plain.api).includes(canonicalPrompt(text)), 'the API received the text');
  });

  it('a 5,000-line text is acked from the hook receipt', async () => {
    const text = Array.from({ length: 5000 }, (_, i) => `${i}: lorem ipsum ; C-m -x ünï`).join('\n');
    const result = await send(plain, text, { mode: 'heavy' });
    assert.equal(result.outcome, 'acked', result.ackEvidence);
    assert.equal(result.ackSource, 'hook', result.ackEvidence);
    assert.ok(receivedCanonical(plain.api).includes(canonicalPrompt(text)), 'the API received the text');
  });

  it('401 during the send (OAuth): never acked while the API refuses the token; push + --continue restart, then acked', async () => {
    const peer = await realPeer({ auth: 'oauth-file' });
    const first = await send(peer, 'warm up');
    assert.equal(first.outcome, 'acked', first.ackEvidence);
    // from now on only the controller's token is accepted: the peer's own token is "expired"
    const controller = JSON.parse(await readFile(theStack().controllerCredentials, 'utf8')) as {
      claudeAiOauth: { accessToken: string };
    };
    peer.api.setValidTokens([controller.claudeAiOauth.accessToken]);
    const text = 'this text meets an expired token';
    let outcome: string;
    let redeliveries = -1;
    try {
      const result = await send(peer, text);
      outcome = result.outcome;
      redeliveries = result.redeliveries;
    } catch (err) {
      outcome = `failed: ${applicationFailureIn(err)?.type ?? String(err)}`;
    }
    const accepted = receivedCanonical(peer.api, true).includes(canonicalPrompt(text));
    if (outcome === 'acked') {
      assert.ok(accepted, 'acked although the API never accepted a request with the text');
      assert.equal(redeliveries, 1);
    } else {
      assert.fail(`expected the 401 recovery to deliver the text again and be acked; got ${outcome}`);
    }
    const refused = peer.api.messageRequests().filter((r) => !r.authorized);
    assert.ok(refused.length > 0, 'the API refused the peer token at least once');
  });

  it('hostile texts never reach the real agent: refused by the CLI gate and by the workflow, nothing typed, claude unchanged', async () => {
    const st = theStack();
    const hostile: [string, string][] = [
      ['paste end marker, then keystrokes', 'harmless start\u001b[201~\r/exit\r'],
      ['paste start marker', 'before\u001b[200~after'],
      ['lone ESC', 'a\u001bb'],
      ['shift+tab (mode switch)', 'x\u001b[Z'],
      ['Ctrl-C twice', 'stop\u0003\u0003'],
      ['Ctrl-U then /exit', 'text\u0015/exit\r'],
      ['NUL', 'a\u0000b'],
      ['DEL', 'a\u007fb'],
      ['C1 CSI', 'a\u009b201~b'],
      ['bash mode', '!touch pwned-by-bash-mode'],
      ['slash command', '/exit'],
      ['slash command after blanks', '  \n /exit'],
      ['whitespace only', ' \t\n '],
    ];
    const eventsFile = join(
      plain.cc.root,
      'agent-state',
      `${plain.cc.tmux.socketName}.${plain.cc.session}.events.jsonl`,
    );
    const eventsBefore = await readFile(eventsFile, 'utf8');
    const requestsBefore = plain.api.messageRequests().length;
    // the permission mode on the footer, without its hints: `· ← for agents` shows after a
    // restart and goes away on its own (fixtures: idle-fresh-session-agents-footer.txt)
    const modeLines = (screen: string): string[] =>
      screen
        .split('\n')
        .filter((l) => /auto mode|mode on/.test(l))
        .map((l) => l.split(' · ')[0]!.trim());
    const footerBefore = modeLines(await plain.cc.capture());
    const config = makeConfig(st, [], Object.fromEntries(peers.map((p) => [p.name, p.entry])));
    await withWorker(
      st,
      config,
      async (tq) => {
        for (const [what, text] of hostile) {
          // the CLI's gate (startSend) refuses before anything starts
          await assert.rejects(
            startSend(st.env.client, tq, { peer: plain.name, text }),
            /TextRefused|refused|empty|control|starts with|white space/i,
            what,
          );
          // a start from the UI or `temporal workflow start` meets the workflow's own gate
          const handle = await st.env.client.workflow.start('sendDirective', {
            taskQueue: tq,
            workflowId: uniqueQueue('hostile'),
            args: [{ peer: plain.name, text }],
          });
          let type = 'none';
          try {
            await handle.result();
          } catch (err) {
            type = applicationFailureIn(err)?.type ?? String(err);
          }
          assert.equal(type, 'InvalidInput', what);
        }
      },
      taskQueue,
    );
    // nothing reached claude: no prompt, no request, same mode, still running and idle
    assert.equal(await readFile(eventsFile, 'utf8'), eventsBefore, 'no hook event: nothing was submitted');
    assert.equal(plain.api.messageRequests().length, requestsBefore);
    const screen = await plain.cc.classify();
    assert.equal(screen.state, 'idle');
    assert.equal(screen.input, '');
    assert.deepEqual(modeLines(await plain.cc.capture()), footerBefore, 'the permission mode is unchanged');
    await assert.rejects(readFile(join(plain.cc.workdir, 'pwned-by-bash-mode')), /ENOENT/);
  });

  it('command /compact works against the real Claude Code: typed, done, the agent idle after it', async () => {
    const st = theStack();
    const config = makeConfig(st, [], Object.fromEntries(peers.map((p) => [p.name, p.entry])));
    const requestsBefore = plain.api.messageRequests().length;
    const result = await withWorker(
      st,
      config,
      async (tq) => {
        const handle = await st.env.client.workflow.start('agentCommand', {
          taskQueue: tq,
          workflowId: uniqueQueue('compact'),
          args: [{ peer: plain.name, command: '/compact' }],
        });
        return (await handle.result()) as { outcome: string; screen: { state: string; tail: string } };
      },
      taskQueue,
    );
    assert.equal(result.outcome, 'done');
    assert.ok(plain.api.messageRequests().length > requestsBefore, 'the compaction asked the API for a summary');
    const after = await plain.cc.classify();
    assert.equal(after.input, '');
    assert.ok(!after.busy, `still busy after /compact: ${after.state}`);
  });

  it('429 during the send: never acked while refused; delivered again; the next send goes through', async () => {
    const peer = await realPeer({}, { ack: { timeout: '30s', busyWait: '60s', rateLimitPause: '2s' } });
    const first = await send(peer, 'warm up');
    assert.equal(first.outcome, 'acked', first.ackEvidence);
    peer.api.setMode('429', { count: 1 });
    const text = 'this text meets a rate limit';
    const result = await send(peer, text);
    assert.equal(result.outcome, 'acked', result.ackEvidence);
    assert.ok(result.redeliveries >= 1, `redeliveries ${result.redeliveries}`);
    const withText = peer.api
      .messageRequests()
      .filter((r) =>
        receivedCanonical({ messageRequests: () => [r] } as FakeAnthropic).includes(canonicalPrompt(text)),
      );
    assert.equal(withText[0]?.mode, '429', 'the first request with the text was refused');
    assert.ok(
      withText.some((r) => r.mode === 'ok'),
      'a later request with the text was answered',
    );
    const next = await send(peer, 'the next send after the 429');
    assert.equal(next.outcome, 'acked', next.ackEvidence);
  });

  it(
    '429 usage limit with OAuth: Claude continues by itself at the reset; the text is not delivered twice',
    {
      skip: process.env.PEER_COMMS_CONTRACT_SLOW ? false : 'slow (~2-3 min): set PEER_COMMS_CONTRACT_SLOW=1',
      timeout: 270_000,
    },
    async (t) => {
      const peer = await realPeer(
        { auth: 'oauth-file' },
        { ack: { timeout: '30s', busyWait: '60s', rateLimitWait: '4m' } },
      );
      const first = await send(peer, 'warm up');
      assert.equal(first.outcome, 'acked', first.ackEvidence);
      // the reset is 20 s ahead; Claude shows it to the minute and continues on its own after it
      peer.api.setMode('429', { count: 1, resetEpochS: Math.floor(Date.now() / 1000) + 20 });
      const text = 'this text meets the usage limit';
      let outcome: string;
      try {
        const result = await send(peer, text, {}, 240_000);
        outcome = `${result.outcome} (redeliveries ${result.redeliveries}): ${result.ackEvidence}`;
      } catch (err) {
        outcome = `failed: ${applicationFailureIn(err)?.message ?? String(err)}`;
      }
      t.diagnostic(`send: ${outcome}`);
      // Claude itself continues after the reset (FINDINGS.md §1b): wait for that turn to end
      await peer.cc.waitForScreen(
        (c, sc) => /Usage limit reset · Continuing automatically/.test(sc) && c.state !== 'working' && c.turnsDone >= 2,
        180_000,
        'the auto-continued turn to end',
      );
      const perRequest = peer.api
        .messageRequests()
        .filter((r) => r.mode === 'ok')
        .map((r) => canonicalTexts(r).filter((x) => x === canonicalPrompt(text)).length);
      const times = Math.max(0, ...perRequest);
      assert.equal(times, 1, `the text reached the conversation ${times} times; send: ${outcome}`);
      // the text was received and is worked on by Claude's own auto-continue: not a failure asking to send it again
      assert.match(outcome, /^(acked|unconfirmed|queued)/, 'send outcome');
    },
  );

  it('busy agent, then --queue: the queued text reaches the model once, after the running turn', async (t) => {
    const peer = await realPeer();
    const first = await send(peer, 'warm up');
    assert.equal(first.outcome, 'acked', first.ackEvidence);
    peer.api.setMode('slow', { slowMs: 8000 });
    const busy = await send(peer, 'a long turn');
    assert.equal(busy.outcome, 'acked', busy.ackEvidence);
    const text = 'queued behind the long turn';
    const queued = await withQueue(peer, text);
    t.diagnostic(`queued send: ${queued.outcome} (${queued.ackSource}): ${queued.ackEvidence}`);
    assert.ok(['queued', 'acked'].includes(queued.outcome), queued.outcome);
    const got = await waitFor(
      () => peer.api.turnRequests().find((r) => canonicalTexts(r).at(-1) === canonicalPrompt(text)),
      { timeoutMs: 60_000, what: 'the queued text as the last user message of a request' },
    );
    const longTurnEnded = peer.api.turnRequests().filter((r) => canonicalTexts(r).at(-1) === 'a long turn');
    assert.ok(longTurnEnded.length >= 1 && got.at > (longTurnEnded[0]?.at ?? 0));
    peer.api.setMode('ok');
  });

  it('an agent started without the hooks: acked from its transcript', async () => {
    const peer = await realPeer({}, {});
    peer.entry.recovery = { ...(peer.entry.recovery as Record<string, unknown>), hooks: false };
    const result = await send(peer, 'no hooks here, read my transcript');
    assert.equal(result.outcome, 'acked', result.ackEvidence);
    assert.equal(result.ackSource, 'transcript', result.ackEvidence);
  });

  it('trust dialog: the send fails DialogOnScreen and nothing is typed', async () => {
    const peer = await realPeer({ trusted: false });
    await peer.cc.start([], (c) => c.state === 'dialog:trust', 30_000);
    let type = '';
    try {
      await send(peer, 'must not be typed into the dialog');
      assert.fail('the send succeeded on a trust dialog');
    } catch (err) {
      type = applicationFailureIn(err)?.type ?? String(err);
    }
    assert.equal(type, 'DialogOnScreen');
    assert.equal((await peer.cc.classify()).state, 'dialog:trust');
    assert.equal(peer.api.messageRequests().length, 0);
    assert.ok(!(await peer.cc.capture()).includes('must not be typed'));
  });
});

/**
 * Per-peer policy end to end, over the real stack (dev server, sshd on 127.0.0.1, tmux, stand-in
 * agents), with fake `nvidia-smi` and `systemctl` first on the PATH sshd gives the peer:
 * - GPU guard: a hot GPU refuses GPU-heavy work (non-retryable, readable), power-limit drift is a
 *   warning on the send, a failing or missing nvidia-smi is reported as such;
 * - rental peer: work waits on a durable timer while the load average is above the limit,
 *   showing the wait in progress, and goes once it drops;
 * - OAuth 401 on screen: credentials pushed, the agent restarted through its systemd unit, sent.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { followSend, startSend } from '../../src/client/send';
import type { SendDirectiveInput, SendProgress } from '../../src/contracts/send';
import { FakeBin, gpuLines } from '../helpers/fake-bin';
import { addAgent, makeConfig, prompts, startStack, withWorker, type AgentPeer, type Stack } from '../helpers/stack';
import { applicationFailureIn, recordHistory, uniqueQueue } from '../helpers/temporal';
import type { Config } from '../../src/config/schema';
import { shQuote, standinCommand } from '../helpers/tmux';
import { waitFor } from '../helpers/wait';

let stack: Stack | undefined;
let bin: FakeBin | undefined;
let binParent: string | undefined;

before(async () => {
  binParent = await mkdtemp(join(tmpdir(), 'pc-fakebin-'));
  bin = await FakeBin.create(binParent);
  stack = await startStack({ peerPath: bin.path });
});

after(async () => {
  await stack?.stop();
  if (binParent) await rm(binParent, { recursive: true, force: true });
});

function the<T>(x: T | undefined, what: string): T {
  if (x === undefined) throw new Error(`${what} did not start`);
  return x;
}

async function failureOf(p: Promise<unknown>): Promise<{ type?: string; message: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WorkflowFailedError, String(err));
    const f = applicationFailureIn(err);
    return { type: f?.type ?? undefined, message: f?.message ?? err.message };
  }
  assert.fail('the send did not fail');
}

/** One task queue per peer: its pane-lock workflow lives there between sends. */
const queues = new Map<string, string>();
function queueOf(peer: AgentPeer): string {
  let q = queues.get(peer.name);
  if (!q) queues.set(peer.name, (q = uniqueQueue('guards')));
  return q;
}

async function send(peer: AgentPeer, config: Config | undefined, input: Partial<SendDirectiveInput>) {
  const s = the(stack, 'stack');
  return withWorker(
    s,
    config ?? makeConfig(s, [peer]),
    async (tq) => (await startSend(s.env.client, tq, { peer: peer.name, text: 'train the model', ...input })).result(),
    queueOf(peer),
  );
}

void describe('GPU guard', () => {
  it('refuses GPU-heavy work on a GPU at its abort temperature, with the reading; cpu work still goes', async () => {
    const s = the(stack, 'stack');
    const b = the(bin, 'fake bin');
    const peer = await addAgent(s, {}, { entry: { gpu: { powerLimitW: 450 } } });
    await b.setNvidiaSmi(gpuLines([0, 89, 410, 450, 30000], [1, 60, 200, 450, 1000]));
    const f = await failureOf(send(peer, undefined, { workload: 'gpu' }));
    assert.equal(f.type, 'GpuTooHot');
    assert.match(f.message, /GPU-heavy work refused: GPU 0 is at 89 °C \(abort at 88 °C\)/);
    assert.deepEqual(await prompts(peer), [], 'nothing was typed');
    // nvidia-smi was only ever queried
    for (const line of await b.calls('nvidia-smi'))
      assert.match(line, /^--query-gpu=\S+ --format=csv,noheader,nounits$/);

    const ok = await send(peer, undefined, { workload: 'cpu', text: 'tidy the notes' });
    assert.equal(ok.outcome, 'acked');
  });

  it('reports power-limit drift as a warning on the send (and sends)', async () => {
    const s = the(stack, 'stack');
    const b = the(bin, 'fake bin');
    const peer = await addAgent(s, {}, { entry: { gpu: { powerLimitW: 450 } } });
    await b.setNvidiaSmi(gpuLines([0, 70, 300, 600, 1000], [1, 65, 300, 450, 1000]));
    const r = await send(peer, undefined, { workload: 'gpu' });
    assert.equal(r.outcome, 'acked');
    const drift = r.warnings.filter((w) => w.includes('power limit'));
    assert.deepEqual(drift, [
      `${peer.name}: GPU 0 power limit is 600 W, expected 450 W (drift; re-apply with nvidia-smi -i 0 -pl 450 on the peer)`,
    ]);
    const gpuStep = r.steps.find((x) => x.step === 'gpuCheck');
    assert.match(gpuStep?.detail ?? '', /GPU 0 70 °C, 300\/600 W; GPU 1 65 °C/);
  });

  it('reports a failing or missing nvidia-smi as such: a warning for cpu work, a refusal for GPU work', async () => {
    const s = the(stack, 'stack');
    const b = the(bin, 'fake bin');
    const peer = await addAgent(s, {}, { entry: { gpu: { powerLimitW: 450 } } });
    const smiFailed =
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";
    await b.setNvidiaSmi(`${smiFailed}\n`, 9);
    const r = await send(peer, undefined, { workload: 'cpu', text: 'note one' });
    assert.equal(r.outcome, 'acked');
    assert.ok(
      r.warnings.includes(`${peer.name}: nvidia-smi failed (exit 9): ${smiFailed}`),
      JSON.stringify(r.warnings),
    );
    const f = await failureOf(send(peer, undefined, { workload: 'gpu' }));
    assert.equal(f.type, 'GpuStateUnknown');
    assert.match(f.message, /the GPU state cannot be read \(nvidia-smi failed \(exit 9\): NVIDIA-SMI has failed/);

    await b.removeNvidiaSmi();
    try {
      const f2 = await failureOf(send(peer, undefined, { workload: 'gpu' }));
      assert.equal(f2.type, 'GpuStateUnknown');
      assert.match(f2.message, /nvidia-smi is not installed \(`nvidia-smi` not found on the peer\)/);
    } finally {
      await b.installNvidiaSmi();
    }
  });
});

/** A peer marked rental (load limit 3, re-read every second) whose load average comes from a file the test writes. */
async function rentalPeer(
  loadavg: string,
  maxWait: number,
): Promise<{ peer: AgentPeer; loadFile: string; config: Config }> {
  const s = the(stack, 'stack');
  const peer = await addAgent(s);
  const loadFile = join(peer.dir, 'loadavg');
  await writeFile(loadFile, `${loadavg}\n`);
  const config = makeConfig(s, [peer], {});
  const cfg = config.peers[peer.name]!;
  cfg.rental = { maxLoadAverage: 3, maxWait, checkEvery: 1000 };
  cfg.thresholds.loadAverageFile = loadFile;
  return { peer, loadFile, config };
}

void describe('rental peer', () => {
  it('waits on a durable timer while the load average is above the limit, shows it, sends once it drops', async () => {
    const s = the(stack, 'stack');
    const { peer, loadFile, config } = await rentalPeer('5.20 4.00 3.10 3/900 4242', 10 * 60_000);
    const seen: SendProgress[] = [];
    const result = await withWorker(
      s,
      config,
      async (tq) => {
        const h = await startSend(s.env.client, tq, { peer: peer.name, text: 'compile the report' });
        const done = followSend(h, (p) => seen.push(structuredClone(p)), 100);
        await waitFor(() => seen.some((p) => p.phase === 'waitLoad' && p.waitingFor), {
          timeoutMs: 20_000,
          what: 'the load wait to show',
        });
        assert.deepEqual(await prompts(peer), [], 'nothing typed while the load is high');
        await writeFile(loadFile, '1.10 3.90 3.10 2/900 4243\n');
        return done;
      },
      queueOf(peer),
    );
    assert.equal(result.outcome, 'acked');
    await recordHistory(s.env, result.workflowId, 'send-rental-load-wait-acked');
    const wait = seen.find((p) => p.waitingFor?.includes('rental'))?.waitingFor ?? '';
    assert.match(
      wait,
      new RegExp(`^${peer.name} is a rental peer: load average 5.2 is above 3; waited \\d+ s of 600 s`),
    );
    const step = result.steps.find((x) => x.step === 'waitLoad');
    assert.match(step?.detail ?? '', /^load average 1.1 after \d+ s$/);
    assert.equal((await prompts(peer)).length, 1);
  });

  it('gives up readably after the maximum wait; a workload none note is never held back', async () => {
    const { peer, config } = await rentalPeer('7.00 7.00 7.00 3/900 4242', 2000);
    const f = await failureOf(send(peer, config, { text: 'heavy build' }));
    assert.equal(f.type, 'LoadTooHigh');
    assert.match(f.message, /is a rental peer: its load average stayed above 3 \(last 7\)/);
    const note = await send(peer, config, { text: 'stop now', workload: 'none' });
    assert.equal(note.outcome, 'acked');
  });
});

void describe('OAuth 401', () => {
  it('pushes credentials, restarts the agent through its systemd unit, then sends and is acked', async () => {
    const s = the(stack, 'stack');
    const b = the(bin, 'fake bin');
    const unit = `agent-401-${process.pid}.service`;
    // The peer's token has expired: the agent (which reads it at start, like Claude Code) fails every turn.
    const peer = await addAgent(s, {}, { peerExpiresAt: Date.now() - 3_600_000, start: false });
    peer.flags.credentials = peer.credentialsPath;
    peer.entry.recovery = { method: 'systemd', unit, readyTimeout: '30s' };
    const command = standinCommand(peer.flags);
    const tmuxArgs = (...a: string[]) => ['tmux', '-L', s.tmux.socketName, ...a].map(shQuote).join(' ');
    await b.setUnit(
      unit,
      `${tmuxArgs('kill-session', '-t', `=${peer.session}`)} 2>/dev/null\n${tmuxArgs('new-session', '-d', '-s', peer.session, '-x', '200', '-y', '50', '-c', peer.dir)} ${shQuote(command)}\n`,
    );
    await s.tmux.newSession(peer.session, command, { width: 200, height: 50, cwd: peer.dir });
    // A first turn (typed by hand) fails with the 401: that is the screen the send finds.
    await waitFor(async () => /❯/.test(await s.tmux.capture(`${peer.session}:0.0`)), {
      timeoutMs: 20_000,
      what: 'the agent prompt',
    });
    await s.tmux.sendLiteral(`${peer.session}:0.0`, 'hello');
    await s.tmux.sendKeys(`${peer.session}:0.0`, 'C-m');
    await waitFor(async () => /Please run \/login|API Error: 401/.test(await s.tmux.capture(`${peer.session}:0.0`)), {
      timeoutMs: 20_000,
      what: 'the 401 screen',
    });
    const r = await send(peer, undefined, { text: 'after the 401' });
    await recordHistory(s.env, r.workflowId, 'send-401-restarted-acked');
    assert.equal(r.outcome, 'acked');
    const names = r.steps.map((x) => `${x.step}:${x.status}`);
    assert.ok(names.includes('restartAgent:done'), names.join(' '));
    assert.ok(
      r.warnings.some((w) => /showed an OAuth 401/.test(w)),
      JSON.stringify(r.warnings),
    );
    assert.deepEqual(await b.calls('systemctl'), [`--user restart ${unit}`]);
    const pushed = JSON.parse(await readFile(peer.credentialsPath, 'utf8')) as { claudeAiOauth: { expiresAt: number } };
    const controller = JSON.parse(await readFile(s.controllerCredentials, 'utf8')) as {
      claudeAiOauth: { expiresAt: number };
    };
    assert.equal(pushed.claudeAiOauth.expiresAt, controller.claudeAiOauth.expiresAt);
    const got = (await prompts(peer)).map((p) => p.toString('utf8'));
    assert.equal(got[got.length - 1], 'after the 401');
  });

  it('a 401 as the answer to the send: pushed, the tmux session recreated, the text delivered again, acked', async () => {
    const s = the(stack, 'stack');
    // The token expired, and the agent read it at start: its first turn will fail with the 401.
    const peer = await addAgent(s, {}, { peerExpiresAt: Date.now() - 3_600_000, start: false });
    peer.flags.credentials = peer.credentialsPath;
    const command = standinCommand(peer.flags);
    peer.entry.recovery = { method: 'tmux', command, width: 200, height: 50, readyTimeout: '30s' };
    await s.tmux.newSession(peer.session, command, { width: 200, height: 50, cwd: peer.dir });
    await waitFor(async () => /❯/.test(await s.tmux.capture(`${peer.session}:0.0`)), {
      timeoutMs: 20_000,
      what: 'the agent prompt',
    });
    const panePid = async () => (await s.tmux.paneState(`${peer.session}:0.0`)).pid;
    const before = await panePid();
    const r = await send(peer, undefined, { text: 'answered with a 401' });
    assert.equal(r.outcome, 'acked');
    const steps = r.steps.map((x) => `${x.step}:${x.status}`);
    // pushed once by expiry (preflight), the first ack failed on the 401, restart, then delivered again
    assert.deepEqual(
      steps.filter((x) => /^(refreshCredentials|deliver|awaitAck|restartAgent)/.test(x)),
      [
        'refreshCredentials:done',
        'deliver:done',
        'awaitAck:failed',
        'refreshCredentials:done',
        'restartAgent:done',
        'deliver:done',
        'awaitAck:done',
      ],
    );
    assert.match(
      r.steps.find((x) => x.step === 'restartAgent')?.detail ?? '',
      /^tmux restart, agent ready after \d+ ms$/,
    );
    assert.notEqual(await panePid(), before, 'a new agent process');
    // The first turn failed (the agent never worked on it); the second is the one acked.
    assert.deepEqual(
      (await prompts(peer)).map((p) => p.toString('utf8')),
      ['answered with a 401', 'answered with a 401'],
    );
  });
});

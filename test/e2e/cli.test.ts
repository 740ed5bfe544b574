/**
 * The CLI as a script sees it: exit codes, --json output, readable errors. The CLI process
 * talks to a real dev server; the worker runs in this test process.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { addAgent, prompts, makeConfig, withWorker, type AgentPeer } from '../helpers/stack';
import { uniqueQueue } from '../helpers/temporal';
import { stackPerFile } from '../helpers/cli';

const { stack, cli } = stackPerFile();

async function configFile(peers: AgentPeer[], taskQueue: string, name = 'peers.yaml'): Promise<string> {
  const path = join(stack().dir, name);
  // JSON is YAML: the CLI reads it like a hand-written peers.yaml
  await writeFile(path, JSON.stringify(makeConfig(stack(), peers, {}, taskQueue)));
  return path;
}

describe('peer-comms CLI', () => {
  it('send --json: exit 0 on a visible-processing ack, one JSON object on stdout', async () => {
    const peer = await addAgent(stack());
    const tq = uniqueQueue('cli');
    const cfg = await configFile([peer], tq);
    const config = makeConfig(stack(), [peer], {}, tq);
    const run = await withWorker(
      stack(),
      config,
      () => cli(['--config', cfg, 'send', peer.name, 'hello from the CLI', '--json']),
      tq,
    );
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as {
      ok: boolean;
      outcome: string;
      workflowId: string;
      url: string;
      result: { bytes: number };
    };
    assert.equal(out.ok, true);
    assert.equal(out.outcome, 'acked');
    assert.match(out.workflowId, new RegExp(`^send-${peer.name}-`));
    assert.match(out.url, /\/namespaces\/default\/workflows\/send-/);
    assert.equal(out.result.bytes, 'hello from the CLI'.length);
  });

  it('send (human): shows each step and the ack', async () => {
    const peer = await addAgent(stack());
    const tq = uniqueQueue('cli');
    const cfg = await configFile([peer], tq);
    const run = await withWorker(
      stack(),
      makeConfig(stack(), [peer], {}, tq),
      () => cli(['--config', cfg, 'send', peer.name, 'human output']),
      tq,
    );
    assert.equal(run.code, 0, run.stderr);
    for (const step of ['preflight', 'paneLock', 'inspectScreen', 'deliver', 'submit', 'awaitAck']) {
      assert.match(run.stderr, new RegExp(`✓ ${step}`), `step ${step} not shown:\n${run.stderr}`);
    }
    assert.match(run.stdout, /^acked: /m);
  });

  it('send (human): the ack names its source; the receipt and turn are in --json', async () => {
    const peer = await addAgent(stack());
    const tq = uniqueQueue('cli');
    const cfg = await configFile([peer], tq);
    const run = await withWorker(
      stack(),
      makeConfig(stack(), [peer], {}, tq),
      () => cli(['--config', cfg, 'send', peer.name, 'receipt please', '--json']),
      tq,
    );
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as {
      result: { ackSource: string; receipt?: { source: string; length: number }; turn: string };
    };
    assert.equal(out.result.ackSource, 'hook');
    assert.equal(out.result.receipt?.source, 'hook');
    assert.equal(out.result.receipt?.length, 'receipt please'.length);
    assert.match(out.result.turn, /^(working|done)$/);
  });

  it('command <peer> /compact: typed, done, the screen after it; a command off the allow-list: exit 2', async () => {
    const peer = await addAgent(stack());
    const tq = uniqueQueue('cli');
    const cfg = await configFile([peer], tq);
    const refused = await cli(['--config', cfg, 'command', peer.name, '/exit']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /\/exit is not on peer\d+'s command allow-list \(\/clear, \/compact\)/);
    const run = await withWorker(
      stack(),
      makeConfig(stack(), [peer], {}, tq),
      () => cli(['--config', cfg, 'command', peer.name, '/compact', 'keep', 'the', 'plan']),
      tq,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^done: \/compact keep the plan on peer\d+/m);
    // typed, once, as the agent's input
    assert.deepEqual((await prompts(peer)).map(String), ['/compact keep the plan']);
  });

  it('send --json to a peer with a dialog: exit 1, the failure type and reason', async () => {
    const peer = await addAgent(stack(), { trustDialog: true });
    const tq = uniqueQueue('cli');
    const cfg = await configFile([peer], tq);
    const run = await withWorker(
      stack(),
      makeConfig(stack(), [peer], {}, tq),
      () => cli(['--config', cfg, 'send', peer.name, 'x', '--json']),
      tq,
    );
    assert.equal(run.code, 1);
    const out = JSON.parse(run.stdout) as { ok: boolean; error: { type: string; message: string } };
    assert.equal(out.ok, false);
    assert.equal(out.error.type, 'DialogOnScreen');
    assert.match(out.error.message, /trust dialog/);
  });

  it('send --queue to a busy agent: exit 3 (queued, not acked)', async () => {
    const peer = await addAgent(stack(), { workMs: 8000 });
    const tq = uniqueQueue('cli');
    const cfg = await configFile([peer], tq);
    await stack().tmux.run(['send-keys', '-t', `${peer.session}:0.0`, '-l', 'busy']);
    await stack().tmux.run(['send-keys', '-t', `${peer.session}:0.0`, 'C-m']);
    const run = await withWorker(
      stack(),
      makeConfig(stack(), [peer], {}, tq),
      () => cli(['--config', cfg, 'send', peer.name, 'later', '--queue']),
      tq,
    );
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /^queued: /m);
  });

  it('usage and config errors: exit 2 with a message a person can act on, nothing started', async () => {
    const peer = await addAgent(stack(), {}, { start: false });
    const cfg = await configFile([peer], 'never-polled');
    const unknown = await cli(['--config', cfg, 'send', 'nosuchpeer', 'x']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown peer "nosuchpeer" \(configured: peer\d+\)/);

    const noText = await cli(['--config', cfg, 'send', peer.name]);
    assert.equal(noText.code, 2);
    assert.match(noText.stderr, /no text/);

    const badFile = await cli(['--config', cfg, 'send', peer.name, '--from-file', join(stack().dir, 'missing.md')]);
    assert.equal(badFile.code, 2);
    assert.match(badFile.stderr, /cannot read .*missing\.md: ENOENT/);

    const both = await cli(['--config', cfg, 'send', peer.name, 'x', '--heavy', '--light']);
    assert.equal(both.code, 2);

    const bad = join(stack().dir, 'bad.yaml');
    await writeFile(bad, 'peers:\n  p:\n    host: h\n    port: twenty\n    user: u\n    agent: true\n');
    const badConfig = await cli(['--config', bad, 'peers']);
    assert.equal(badConfig.code, 2);
    assert.match(badConfig.stderr, /peers\.p\.port: expected number, received string/);
  });

  it('peers and preflight', async () => {
    const peer = await addAgent(stack());
    const cfg = await configFile([peer], 'unused');
    const peers = await cli(['--config', cfg, 'peers']);
    assert.equal(peers.code, 0, peers.stderr);
    assert.match(peers.stdout, new RegExp(`${peer.name}\\s+root@127\\.0\\.0\\.1:${stack().sshd.port}`));
    const pf = await cli(['--config', cfg, 'preflight', peer.name, '--json']);
    assert.equal(pf.code, 0, pf.stderr);
    const report = JSON.parse(pf.stdout) as { session: { alive: boolean }; credentials: { refreshDue: boolean } };
    assert.equal(report.session.alive, true);
    assert.equal(report.credentials.refreshDue, false);
  });
});

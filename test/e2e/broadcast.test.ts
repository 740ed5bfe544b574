/**
 * Broadcast end to end: `peer-comms send a,b,c <text>` (a group, --all) as one broadcast
 * workflow with a child send per peer. Real dev server, sshd, tmux and stand-in agents; the CLI
 * runs as a process, the worker in this test process.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { addAgent, dialogInput, makeConfig, prompts, withWorker, type AgentPeer } from '../helpers/stack';
import { recordHistory, uniqueQueue } from '../helpers/temporal';
import { stackPerFile } from '../helpers/cli';

const { stack, cli } = stackPerFile();

interface PeerJson {
  peer: string;
  workflowId: string;
  outcome: string;
  exitCode: number;
  error?: { type: string; message: string };
}
interface BroadcastJson {
  ok: boolean;
  outcome: string;
  exitCode: number;
  workflowId: string;
  peers: PeerJson[];
}

async function configFile(
  peers: AgentPeer[],
  taskQueue: string,
  groups: Record<string, string[]> = {},
): Promise<string> {
  const path = join(stack().dir, `peers-${taskQueue}.yaml`);
  // JSON is YAML: the CLI reads it like a hand-written peers.yaml
  await writeFile(path, JSON.stringify({ ...makeConfig(stack(), peers, {}, taskQueue), groups }));
  return path;
}

/** Runs the CLI while a worker serves the config's task queue. */
async function run(peers: AgentPeer[], args: (cfg: string) => string[], groups: Record<string, string[]> = {}) {
  const tq = uniqueQueue('bc');
  const cfg = await configFile(peers, tq, groups);
  return withWorker(stack(), makeConfig(stack(), peers, {}, tq), () => cli(['--config', cfg, ...args(cfg)]), tq);
}

describe('peer-comms send to several peers (broadcast)', () => {
  it('a,b,c --json: one broadcast, a child send per peer, each agent gets the text exactly once, exit 0', async () => {
    const peers = [await addAgent(stack()), await addAgent(stack()), await addAgent(stack())];
    const text = 'broadcast: hello to each';
    const r = await run(peers, () => ['send', peers.map((p) => p.name).join(','), text, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as BroadcastJson;
    assert.equal(out.ok, true);
    assert.equal(out.outcome, 'acked');
    assert.equal(out.exitCode, 0);
    assert.match(out.workflowId, /^broadcast-/);
    const suffix = out.workflowId.slice('broadcast-'.length);
    assert.deepEqual(
      out.peers.map((p) => [p.peer, p.outcome, p.exitCode, p.workflowId]),
      peers.map((p) => [p.name, 'acked', 0, `send-${p.name}-${suffix}`]),
    );
    for (const p of peers) assert.deepEqual((await prompts(p)).map(String), [text], p.name);
    await recordHistory(stack().env, out.workflowId, 'broadcast-three-acked');
  });

  it('a group from the config (human output): a row per peer, an outcome line per peer, exit 0', async () => {
    const peers = [await addAgent(stack()), await addAgent(stack())];
    const r = await run(peers, () => ['send', 'both', 'to the group'], { both: peers.map((p) => p.name) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^broadcast broadcast-\S+ to 2 peers$/m);
    for (const p of peers) {
      // plain lines (no TTY): the finished row of each peer
      assert.match(r.stderr, new RegExp(`^  ${p.name}\\s+finished\\s+acked\\b`, 'm'));
      assert.match(r.stdout, new RegExp(`^acked: ${p.name} received it`, 'm'));
      assert.deepEqual((await prompts(p)).map(String), ['to the group']);
    }
    assert.match(r.stdout, /^broadcast: 2 of 2 acked$/m);
    assert.ok(!r.stderr.includes('\x1b['), 'no cursor moves when stderr is not a TTY');
  });

  it('a failing peer among acked ones: overall exit 1, the others still acked', async () => {
    const good = [await addAgent(stack()), await addAgent(stack())];
    const bad = await addAgent(stack(), { trustDialog: true });
    const all = [good[0]!, bad, good[1]!];
    const r = await run(all, () => ['send', '--all', 'most of you', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as BroadcastJson;
    assert.equal(out.ok, false);
    assert.equal(out.outcome, 'failed');
    assert.deepEqual(
      out.peers.map((p) => [p.peer, p.outcome, p.exitCode]),
      [
        [good[0]!.name, 'acked', 0],
        [bad.name, 'failed', 1],
        [good[1]!.name, 'acked', 0],
      ],
    );
    assert.equal(out.peers[1]!.error?.type, 'DialogOnScreen');
    for (const p of good) assert.deepEqual((await prompts(p)).map(String), ['most of you']);
    assert.equal((await prompts(bad)).length, 0);
    assert.deepEqual(await dialogInput(bad), []);
  });

  it('an unknown peer name, or a peer listed twice, is refused at the edge: exit 2, nothing started', async () => {
    const peer = await addAgent(stack());
    const tq = uniqueQueue('bc');
    const cfg = await configFile([peer], tq);
    // no worker polls the queue: a started workflow would hang, not exit 2
    const unknown = await cli(['--config', cfg, 'send', `${peer.name},nope`, 'never sent']);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /unknown peer "nope"/);
    assert.match(unknown.stderr, /nothing was started/);
    const twice = await cli(['--config', cfg, 'send', `${peer.name},${peer.name}`, 'never sent']);
    assert.equal(twice.code, 2, twice.stderr);
    assert.match(twice.stderr, new RegExp(`listed twice: ${peer.name}`));
    const refused = await cli(['--config', cfg, 'send', `${peer.name},`, 'x']);
    assert.equal(refused.code, 2, refused.stderr);
    for (const r of [unknown, twice, refused]) {
      assert.doesNotMatch(r.stderr, /broadcast broadcast-/);
      assert.equal(r.stdout, '');
    }
    assert.equal((await prompts(peer)).length, 0);
  });
});

/**
 * The benchmark's sections, each interleaving peer-comms with its baseline round by round so
 * both see the same machine load.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import type { PeerJobInput } from '../src/contracts/job';
import type { SendResult } from '../src/contracts/send';
import { statusQuery } from '../src/workflows/definitions';
import type { AgentPeer, Stack } from '../test/helpers/stack';
import { waitFor } from '../test/helpers/wait';
import { bareSsh, handCeremony } from './baselines';
import { cpuSnapshot, cpuSpent, pidsNamed } from './cpu';
import { countEvents, lockLength, type SendEvents } from './history-count';
import { cliBroadcast, cliSend, idle, idleAll, workflowBroadcast, workflowSend } from './measure';
import type { Samples } from './stats';
import { canonicalSha256 } from '../src/receipts/records';
import { CLI } from './worker';

export interface Ctx {
  stack: Stack;
  client: Client;
  taskQueue: string;
  cfg: string;
  peers: AgentPeer[];
  s: Samples;
  results: SendResult[];
  events: SendEvents[];
  /** The controller worker's pid, for the CPU split of the 20-peer broadcast. */
  workerPid: number;
  /** CPU spent during each 20-peer CLI broadcast: the machine, the worker, the Temporal server. */
  cpu20: { wallS: number; machineS: number; load: number; workerS: number; temporalS: number }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `peer-comms --help`, process start → exit. */
export async function helpRound(ctx: Ctx): Promise<void> {
  const start = performance.now();
  await new Promise((r) => spawn(process.execPath, [CLI, '--help'], { stdio: 'ignore' }).once('exit', r));
  ctx.s.add('help', performance.now() - start);
}

/** The time the stand-in logged the last prompt it took (it shows working from then). */
async function lastPromptAt(peer: AgentPeer): Promise<number> {
  const lines = (await readFile(peer.promptLog, 'utf8')).split('\n').filter((l) => l.includes('"b64"'));
  return (JSON.parse(lines[lines.length - 1] ?? '{}') as { t?: number }).t ?? NaN;
}

/**
 * When the receipt hook logged the Stop of the turn of `text` (ms since the epoch): the first Stop
 * after the last UserPromptSubmit of that text. Waits up to 5 s for it (hooks run late on a busy
 * machine, and an ack may come from the transcript first); NaN when none came.
 */
export async function stopAt(peer: AgentPeer, text: string): Promise<number> {
  const { sha256 } = canonicalSha256(text);
  const stop = await waitFor(
    async () => {
      const lines = (await readFile(peer.events, 'utf8')).split('\n').filter((l) => l.startsWith('{'));
      const events = lines.map((l) => JSON.parse(l) as { event?: string; sha256?: string; at?: string });
      const prompt = events.findLastIndex((e) => e.event === 'UserPromptSubmit' && e.sha256 === sha256);
      return prompt >= 0 && events.slice(prompt + 1).find((e) => e.event === 'Stop');
    },
    { timeoutMs: 5000, what: `the Stop of "${text}" in ${peer.events}` },
  ).catch(() => undefined);
  return Date.parse(stop?.at ?? '');
}

/** One round of single sends to one peer: bare ssh, hand ceremony, CLI, workflow. */
export async function singleRound(ctx: Ctx, i: number): Promise<void> {
  const { stack, s } = ctx;
  const p = ctx.peers[0]!;
  s.add('bare', await bareSsh(stack, p, `bare ssh send ${i}`));
  await idle(stack, p);
  s.add('hand', await handCeremony(stack, p, `hand ceremony send ${i}`, `hand-${i}`));
  await idle(stack, p);
  s.add('cli', await cliSend(stack, ctx.cfg, p.name, { text: `cli send ${i}` }));
  await idle(stack, p);
  const lockBefore = await lockLength(ctx.client, p.name);
  const wallStart = Date.now();
  const { ms, result } = await workflowSend(ctx.client, ctx.taskQueue, p.name, `workflow send ${i}`);
  s.add('workflow', ms);
  // the delivery alone: start → the agent took the text (the rest is the turn's confirmation)
  s.add('toPrompt', (await lastPromptAt(p)) - wallStart);
  ctx.results.push(result);
  const ackDone = result.steps.find((st) => st.step === 'awaitAck' && st.status === 'done')?.endedAt;
  s.add('ackAfterWorking', (ackDone ?? NaN) - (await lastPromptAt(p)));
  s.add('ackAfterStop', (ackDone ?? NaN) - (await stopAt(p, `workflow send ${i}`)));
  await idle(stack, p);
  await sleep(300); // the lock's release and grant events land after the send ends
  ctx.events.push(await countEvents(ctx.client, result.workflowId, p.name, lockBefore));
}

/** One round of broadcasts: to 1, 5 and 20 peers by CLI, 20 workflows from one client. */
export async function broadcastRound(ctx: Ctx, i: number, asList: boolean): Promise<void> {
  for (const size of [1, 5, 20]) {
    const peers = ctx.peers.slice(0, size);
    const watched = [ctx.workerPid, ...pidsNamed('temporal')];
    const before = cpuSnapshot(watched);
    const ms = await cliBroadcast(ctx.stack, ctx.cfg, peers, `broadcast ${size} #${i}`, asList);
    const spent = cpuSpent(before, cpuSnapshot(watched));
    ctx.s.add(`broadcast${size}`, ms);
    if (size === 20) {
      const temporalS = watched.slice(1).reduce((sum, pid) => sum + (spent.procs.get(pid) ?? 0), 0);
      const workerS = spent.procs.get(ctx.workerPid) ?? NaN;
      ctx.cpu20.push({ wallS: ms / 1000, machineS: spent.busy, load: spent.load, workerS, temporalS });
    }
    await idleAll(ctx.stack, peers);
  }
  ctx.s.add('wf20', await workflowBroadcast(ctx.client, ctx.taskQueue, ctx.peers.slice(0, 20), `wf broadcast ${i}`));
  await idleAll(ctx.stack, ctx.peers);
}

/** 5,000 lines (~305 KB) through the CLI (--from-file) and through the hand ceremony (scp + paste). */
export function bigText(i: number): string {
  const lines: string[] = [];
  for (let l = 0; l < 5000; l++) {
    lines.push(
      `round ${i} line ${String(l).padStart(4, '0')}: ${'the quick brown fox jumps over the lazy dog '.repeat(1)}x`,
    );
  }
  return lines.join('\n');
}

export async function bigRound(ctx: Ctx, i: number): Promise<void> {
  const p = ctx.peers[1] ?? ctx.peers[0]!;
  const text = bigText(i);
  ctx.s.add('bytes', Buffer.byteLength(text));
  ctx.s.add('bigHand', await handCeremony(ctx.stack, p, text, `big-hand-${i}`));
  await idle(ctx.stack, p);
  const file = join(ctx.stack.dir, `big-${i}.txt`);
  await writeFile(file, text);
  ctx.s.add('bigCli', await cliSend(ctx.stack, ctx.cfg, p.name, { file }));
  await idle(ctx.stack, p);
}

/** Starts `count` peer jobs round-robin over the peers; the agents never write the DONE marker, so they stay open. */
export async function openJobs(ctx: Ctx, count: number, runId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let j = 0; j < count; j++) {
    const peer = ctx.peers[j % ctx.peers.length]!;
    const id = `job-${peer.name}-bench-${runId}-${j}`;
    const input: PeerJobInput = { peer: peer.name, directive: `bench job ${j}: work that never ends` };
    await ctx.client.workflow.start('peerJob', { workflowId: id, taskQueue: ctx.taskQueue, args: [input] });
    ids.push(id);
  }
  // open = past its directive: watching the peer for a DONE marker that never comes
  await waitFor(
    async () => {
      const states = await Promise.all(ids.map((id) => ctx.client.workflow.getHandle(id).query(statusQuery)));
      return states.every((st) => st.state !== 'sending');
    },
    { timeoutMs: 180_000, intervalMs: 1000, what: `${count} jobs past their directive` },
  );
  return ids;
}

export async function closeJobs(ctx: Ctx, ids: string[]): Promise<void> {
  await Promise.all(
    ids.map((id) =>
      ctx.client.workflow
        .getHandle(id)
        .terminate('bench over')
        .catch(() => undefined),
    ),
  );
}

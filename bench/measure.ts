/**
 * What peer-comms is measured doing: a `peer-comms send` CLI process (start → exit 0, the ack),
 * a sendDirective workflow from a connected client (start → ack), and broadcasts.
 */
import { execFile, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { startSend } from '../src/client/send';
import type { SendResult } from '../src/contracts/send';
import type { AgentPeer, Stack } from '../test/helpers/stack';
import { waitFor } from '../test/helpers/wait';
import { CLI } from './worker';

const run = promisify(execFile);

/** Waits until the peer's agent no longer shows working. */
export async function idle(stack: Stack, peer: AgentPeer): Promise<void> {
  await waitFor(async () => !/esc to interrupt/.test(await stack.tmux.capture(`${peer.session}:0.0`)), {
    timeoutMs: 60_000,
    what: `agent ${peer.name} idle`,
    intervalMs: 20,
  });
}

export async function idleAll(stack: Stack, peers: AgentPeer[]): Promise<void> {
  await Promise.all(peers.map((p) => idle(stack, p)));
}

/** `peer-comms send <peer|a,b,c> <text>` (or --from-file), process start → exit. */
export async function cliSend(
  stack: Stack,
  cfg: string,
  target: string,
  text: { text: string } | { file: string },
): Promise<number> {
  const args = [CLI, '--config', cfg, 'send', target, ...('file' in text ? ['--from-file', text.file] : [text.text])];
  const start = performance.now();
  const { code, err } = await new Promise<{ code: number | null; err: string }>((resolve) => {
    let err = '';
    const child = spawn(process.execPath, args, {
      env: { ...process.env, TEMPORAL_ADDRESS: stack.settings.address },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.once('exit', (code) => resolve({ code, err }));
  });
  if (code !== 0) throw new Error(`peer-comms send ${target} exited ${code}: ${err}`);
  return performance.now() - start;
}

/** sendDirective start → result, from a connected client. */
export async function workflowSend(
  client: Client,
  taskQueue: string,
  peer: string,
  text: string,
): Promise<{ ms: number; result: SendResult }> {
  const start = performance.now();
  const result = await (await startSend(client, taskQueue, { peer, text })).result();
  const ms = performance.now() - start;
  if (result.outcome !== 'acked') throw new Error(`send to ${peer}: ${result.outcome}`);
  return { ms, result };
}

/** Whether this build's `send` takes a comma list of peers (one broadcast workflow). */
export async function cliBroadcasts(): Promise<boolean> {
  const { stdout } = await run(process.execPath, [CLI, 'send', '--help']).catch(() => ({ stdout: '' }));
  return /\ba,b\b|comma[- ]separated|comma list|--all\b/i.test(stdout);
}

/** Broadcast to these peers: one CLI process with a comma list, or (without one) a CLI process per peer. */
export async function cliBroadcast(
  stack: Stack,
  cfg: string,
  peers: AgentPeer[],
  text: string,
  asList: boolean,
): Promise<number> {
  const start = performance.now();
  if (asList) await cliSend(stack, cfg, peers.map((p) => p.name).join(','), { text });
  else await Promise.all(peers.map((p) => cliSend(stack, cfg, p.name, { text })));
  return performance.now() - start;
}

/** N sendDirective workflows from one client, all at once: start → every ack. */
export async function workflowBroadcast(
  client: Client,
  taskQueue: string,
  peers: AgentPeer[],
  text: string,
): Promise<number> {
  const start = performance.now();
  await Promise.all(peers.map((p) => workflowSend(client, taskQueue, p.name, text)));
  return performance.now() - start;
}

/**
 * Benchmark: one light send through peer-comms vs one bare `ssh` doing the same keystrokes
 * (send-keys, C-m, poll capture-pane until the agent works), against the same sshd on
 * 127.0.0.1 and the same stand-in agent. Prints medians and the ratio; asserts nothing.
 *
 *   npm run bench            (N=5 by default; BENCH_N=10 npm run bench)
 *
 * Measured per send:
 *   bare ssh     — fresh `ssh` process: connect, send-keys -l, send-keys C-m, poll until working
 *   workflow     — sendDirective start → ack, warm worker (pooled SSH connection)
 *   cli          — `node dist/cli/main.js send` process start → exit 0 (needs `npm run build`)
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { startSend } from '../src/client/send';
import {
  addAgent,
  makeConfig,
  prompts,
  startStack,
  withWorker,
  type AgentPeer,
  type Stack,
} from '../test/helpers/stack';
import { uniqueQueue } from '../test/helpers/temporal';
import { waitFor } from '../test/helpers/wait';
import { median } from './stats';

const run = promisify(execFile);
const N = Number(process.env.BENCH_N ?? 5);
const ROOT = join(__dirname, '..');

async function idle(stack: Stack, peer: AgentPeer): Promise<void> {
  await waitFor(async () => !/esc to interrupt/.test(await stack.tmux.capture(`${peer.session}:0.0`)), {
    timeoutMs: 20_000,
    what: 'agent idle',
    intervalMs: 20,
  });
}

async function bareSsh(stack: Stack, peer: AgentPeer, text: string): Promise<number> {
  const t = `${peer.session}:0.0`;
  const sock = stack.tmux.socketName;
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const remote = [
    `tmux -L ${sock} send-keys -t ${t} -l -- ${q(text)}`,
    `tmux -L ${sock} send-keys -t ${t} C-m`,
    `i=0; while [ $i -lt 200 ]; do tmux -L ${sock} capture-pane -p -t ${t} | grep -q 'esc to interrupt' && exit 0; sleep 0.02; i=$((i+1)); done; exit 1`,
  ].join('; ');
  const start = performance.now();
  await run('ssh', [
    '-p',
    String(stack.sshd.port),
    '-i',
    stack.sshd.privateKeyPath,
    '-o',
    `UserKnownHostsFile=${stack.sshd.knownHostsPath}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    `${stack.sshd.user}@127.0.0.1`,
    remote,
  ]);
  return performance.now() - start;
}

async function cliSend(stack: Stack, cfg: string, peer: AgentPeer, text: string): Promise<number> {
  const start = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'dist', 'cli', 'main.js'), '--config', cfg, 'send', peer.name, text],
      {
        env: { ...process.env, TEMPORAL_ADDRESS: stack.settings.address },
        stdio: 'ignore',
      },
    );
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`cli exited ${code}`);
  return performance.now() - start;
}

async function main(): Promise<void> {
  const stack = await startStack();
  try {
    const peer = await addAgent(stack, { workMs: 300 });
    const tq = uniqueQueue('bench');
    const config = makeConfig(stack, [peer], {}, tq);
    const cfg = join(stack.dir, 'bench-peers.json');
    await writeFile(cfg, JSON.stringify(config));
    const bare: number[] = [];
    const wf: number[] = [];
    const cli: number[] = [];
    await withWorker(
      stack,
      config,
      async () => {
        // warm-up: connection pool, workflow bundle, lock workflow
        await (await startSend(stack.env.client, tq, { peer: peer.name, text: 'warm-up' })).result();
        await idle(stack, peer);
        for (let i = 0; i < N; i++) {
          bare.push(await bareSsh(stack, peer, `bare ssh send ${i}`));
          await idle(stack, peer);
          const start = performance.now();
          const r = await (
            await startSend(stack.env.client, tq, { peer: peer.name, text: `workflow send ${i}` })
          ).result();
          wf.push(performance.now() - start);
          if (r.outcome !== 'acked') throw new Error(`send ${i}: ${r.outcome}`);
          await idle(stack, peer);
          if (existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
            cli.push(await cliSend(stack, cfg, peer, `cli send ${i}`));
            await idle(stack, peer);
          }
        }
      },
      tq,
    );
    const got = (await prompts(peer)).length;
    const fmt = (xs: number[]) =>
      `median ${median(xs).toFixed(0)} ms  (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
    console.log(`light send, N=${N}, ${got} prompts received by the stand-in`);
    console.log(`  bare ssh (connect + send-keys + C-m + poll): ${fmt(bare)}`);
    console.log(
      `  peer-comms workflow start → ack (warm):      ${fmt(wf)}   ratio ${(median(wf) / median(bare)).toFixed(2)}× bare ssh`,
    );
    if (cli.length) {
      console.log(
        `  peer-comms CLI process start → exit 0:       ${fmt(cli)}   ratio ${(median(cli) / median(bare)).toFixed(2)}× bare ssh`,
      );
    }
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

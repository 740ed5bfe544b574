/**
 * Benchmark: `peer-comms send` on the embedded default's local peer, CLI process start → exit 0
 * (the visible-processing ack), light path. A dev server, a controller worker in this process
 * and the stand-in agent in tmux (a private socket); N sends, median printed.
 *
 *   npm run build && node --import tsx bench/local-cli.bench.ts        (BENCH_N=5)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setUpLocalPeer, stopLocalPeer } from '../src/demo/local-peer';
import { createControllerWorker } from '../src/workers/controller';
import { startDevEnv, uniqueQueue, workflowBundle } from '../test/helpers/temporal';
import { waitFor } from '../test/helpers/wait';
import { median } from './stats';
import { execFileSync } from 'node:child_process';

const N = Number(process.env.BENCH_N ?? 5);
const ROOT = join(__dirname, '..');

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pc-bench-'));
  const env = await startDevEnv();
  const taskQueue = uniqueQueue('bench-local');
  const peer = setUpLocalPeer(dir, { socket: `pc-bench-${process.pid}`, taskQueue });
  const cfg = join(dir, 'peers.json');
  await writeFile(cfg, JSON.stringify(peer.config));
  const { worker, pool } = await createControllerWorker({
    config: peer.config,
    connection: env.nativeConnection,
    client: env.client,
    namespace: 'default',
    taskQueue,
    worker: { workflowBundle: await workflowBundle() },
  });
  const busy = () =>
    /esc to interrupt/.test(
      execFileSync('tmux', ['-L', peer.socket, 'capture-pane', '-p', '-t', `${peer.session}:0.0`], {
        encoding: 'utf8',
      }),
    );
  const times: number[] = [];
  try {
    await worker.runUntil(async () => {
      const send = async (text: string): Promise<number> => {
        const start = performance.now();
        const code = await new Promise<number | null>((resolve) => {
          const child = spawn(
            process.execPath,
            [join(ROOT, 'dist', 'cli', 'main.js'), '--config', cfg, 'send', peer.name, text],
            {
              env: { ...process.env, TEMPORAL_ADDRESS: env.address },
              stdio: 'ignore',
            },
          );
          child.once('exit', resolve);
        });
        if (code !== 0) throw new Error(`peer-comms send exited ${code}`);
        return performance.now() - start;
      };
      await send('warm-up: starts the agent session'); // first send recovers the session
      for (let i = 0; i < N; i++) {
        await waitFor(() => !busy(), { timeoutMs: 30_000, what: 'agent idle' });
        times.push(await send(`light send ${i}`));
      }
    });
  } finally {
    await pool.closeAll();
    await stopLocalPeer(peer);
    await env.teardown();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`local peer, light send, CLI process start → exit 0 (ack), N=${N}`);
  console.log(`  median ${median(times).toFixed(0)} ms  (runs: ${times.map((t) => t.toFixed(0)).join(', ')})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
